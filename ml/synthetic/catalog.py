"""Synthetic product catalog: 21 departments, 134 aisles, 49,688 products.

All names are our own: each aisle lists a few generic base items, and product names are built
from fictional brands x descriptors x base items x size/variant suffixes, so nothing from the
real Instacart product table is reproduced. Popularity is heavy-tailed: a department share
(produce and dairy dominate, as in real grocery data) split over aisles and then over products
with a Zipf law inside each aisle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_PRODUCTS = 49_688

# department -> (share of purchased lines, share of the product range, {aisle: base items}).
# Shares are loose targets; they are renormalised below.
DEPARTMENTS: dict[str, tuple[float, float, dict[str, list[str]]]] = {
    "Fresh Produce": (
        0.29,
        0.034,
        {
            "seasonal fruit": ["Bananas", "Apples", "Pears", "Peaches", "Mangoes", "Plums"],
            "everyday vegetables": ["Carrots", "Onions", "Potatoes", "Zucchini", "Cucumbers"],
            "bagged salads and greens": ["Baby Spinach", "Spring Mix", "Kale", "Romaine Hearts"],
            "fresh herbs and aromatics": ["Cilantro", "Basil", "Garlic", "Ginger Root", "Mint"],
            "berries and grapes": ["Strawberries", "Blueberries", "Raspberries", "Red Grapes"],
            "citrus and tropical": ["Lemons", "Limes", "Avocados", "Pineapple", "Oranges"],
            "cut fruit and veggie trays": ["Fruit Medley", "Veggie Sticks", "Melon Chunks"],
            "mushrooms and specialty produce": ["Cremini Mushrooms", "Shallots", "Fennel"],
        },
    ),
    "Dairy & Eggs": (
        0.17,
        0.07,
        {
            "milk and cream": ["Whole Milk", "Reduced Fat Milk", "Half and Half", "Heavy Cream"],
            "yogurt cups and tubs": ["Greek Yogurt", "Vanilla Yogurt", "Skyr", "Kefir"],
            "eggs": ["Large Brown Eggs", "Cage Free Eggs", "Egg Whites", "Pasture Eggs"],
            "butter and spreads": ["Salted Butter", "Unsalted Butter", "Ghee", "Buttery Spread"],
            "sliced and shredded cheese": ["Cheddar Slices", "Shredded Mozzarella", "Swiss"],
            "cheese blocks and wedges": ["Aged Gouda", "Parmesan Wedge", "Brie", "Manchego"],
            "plant based milks": ["Oat Milk", "Almond Milk", "Soy Milk", "Coconut Milk"],
            "cottage and cream cheese": ["Cottage Cheese", "Cream Cheese", "Ricotta"],
            "refrigerated dough and creamers": ["Coffee Creamer", "Biscuit Dough", "Sour Cream"],
            "puddings and dairy desserts": ["Chocolate Pudding", "Rice Pudding", "Custard"],
        },
    ),
    "Snacks & Sweets": (
        0.09,
        0.125,
        {
            "potato and tortilla chips": ["Kettle Chips", "Tortilla Chips", "Veggie Crisps"],
            "crackers and crispbreads": ["Sea Salt Crackers", "Rice Crackers", "Crispbread"],
            "cookies and biscuits": ["Chocolate Chip Cookies", "Shortbread", "Oat Cookies"],
            "nuts and trail mix": ["Roasted Almonds", "Cashews", "Trail Mix", "Pistachios"],
            "candy and chocolate bars": ["Dark Chocolate Bar", "Gummy Bears", "Caramels"],
            "snack bars": ["Granola Bar", "Protein Bar", "Fruit and Nut Bar", "Oat Bites"],
            "popcorn and pretzels": ["Butter Popcorn", "Pretzel Twists", "Kettle Corn"],
            "dried fruit and fruit snacks": ["Dried Mango", "Raisins", "Fruit Leather"],
            "dips and salsas": ["Chunky Salsa", "Queso Dip", "Bean Dip", "Spinach Dip"],
            "jerky and meat snacks": ["Beef Jerky", "Turkey Jerky", "Meat Sticks"],
        },
    ),
    "Beverages": (
        0.085,
        0.088,
        {
            "sparkling and still water": ["Sparkling Water", "Spring Water", "Mineral Water"],
            "sodas and mixers": ["Cola", "Lemon Lime Soda", "Ginger Ale", "Tonic Water"],
            "juices and nectars": ["Orange Juice", "Apple Juice", "Cold Pressed Juice"],
            "coffee beans and grounds": ["Dark Roast Coffee", "Espresso Beans", "Decaf Coffee"],
            "tea bags and loose tea": ["Green Tea", "Chamomile Tea", "Black Tea", "Chai"],
            "energy and sports drinks": ["Energy Drink", "Electrolyte Drink", "Sports Drink"],
            "ready to drink coffee and tea": ["Cold Brew", "Iced Tea", "Latte Drink"],
            "kombucha and functional drinks": ["Kombucha", "Probiotic Tonic", "Coconut Water"],
            "hot cocoa and drink mixes": ["Hot Cocoa", "Lemonade Mix", "Drink Powder"],
        },
    ),
    "Frozen Foods": (
        0.07,
        0.08,
        {
            "frozen meals and entrees": ["Mac and Cheese Bowl", "Burrito", "Pad Thai Bowl"],
            "frozen pizza": ["Margherita Pizza", "Pepperoni Pizza", "Flatbread"],
            "frozen vegetables": ["Peas", "Broccoli Florets", "Mixed Vegetables", "Edamame"],
            "frozen fruit": ["Frozen Berries", "Frozen Mango", "Acai Packs"],
            "ice cream and frozen treats": ["Vanilla Ice Cream", "Gelato", "Fruit Bars"],
            "frozen breakfast": ["Waffles", "Breakfast Sandwich", "Pancakes"],
            "frozen appetizers and snacks": ["Dumplings", "Spring Rolls", "Mozzarella Sticks"],
            "frozen meat and seafood": ["Chicken Nuggets", "Shrimp", "Veggie Burgers"],
            "frozen desserts and pies": ["Apple Pie", "Cheesecake", "Mochi"],
        },
    ),
    "Pantry Staples": (
        0.06,
        0.107,
        {
            "baking mixes and flour": ["All Purpose Flour", "Pancake Mix", "Brownie Mix"],
            "sugar and sweeteners": ["Cane Sugar", "Honey", "Maple Syrup", "Agave"],
            "oils and vinegars": ["Olive Oil", "Avocado Oil", "Balsamic Vinegar"],
            "spices and seasonings": ["Sea Salt", "Black Pepper", "Cumin", "Paprika"],
            "condiments": ["Ketchup", "Yellow Mustard", "Mayonnaise", "Hot Sauce"],
            "salad dressings and toppings": ["Ranch Dressing", "Vinaigrette", "Croutons"],
            "peanut butter and jams": ["Peanut Butter", "Almond Butter", "Strawberry Jam"],
            "pickles and olives": ["Dill Pickles", "Kalamata Olives", "Capers"],
            "baking chips and decorations": ["Chocolate Chips", "Sprinkles", "Vanilla Extract"],
            "syrups and dessert toppings": ["Chocolate Syrup", "Caramel Sauce", "Sprinkle Mix"],
        },
    ),
    "Bakery & Bread": (
        0.036,
        0.03,
        {
            "sliced bread": ["Whole Wheat Bread", "Sourdough Loaf", "Multigrain Bread"],
            "tortillas and flatbreads": ["Flour Tortillas", "Corn Tortillas", "Pita", "Naan"],
            "buns and rolls": ["Hamburger Buns", "Dinner Rolls", "Brioche Buns"],
            "breakfast pastries": ["Croissants", "Muffins", "Cinnamon Rolls", "Bagels"],
            "cakes and desserts": ["Cupcakes", "Brownies", "Pound Cake", "Fruit Tart"],
        },
    ),
    "Canned & Jarred": (
        0.033,
        0.042,
        {
            "canned beans": ["Black Beans", "Chickpeas", "Kidney Beans", "Refried Beans"],
            "canned tomatoes and sauces": ["Diced Tomatoes", "Tomato Paste", "Crushed Tomatoes"],
            "soups and broths": ["Chicken Broth", "Vegetable Broth", "Lentil Soup"],
            "canned fish and meat": ["Tuna", "Salmon", "Sardines", "Chicken Breast"],
            "canned fruit and vegetables": ["Sweet Corn", "Green Beans", "Peach Halves"],
        },
    ),
    "Deli & Prepared": (
        0.032,
        0.027,
        {
            "sliced deli meats": ["Smoked Turkey", "Black Forest Ham", "Salami", "Roast Beef"],
            "hummus and spreads": ["Classic Hummus", "Baba Ganoush", "Tzatziki", "Pesto"],
            "prepared salads and sides": ["Potato Salad", "Quinoa Salad", "Coleslaw"],
            "fresh soups and meals": ["Chicken Soup", "Lasagna Tray", "Rotisserie Chicken"],
            "tofu and meat alternatives": ["Firm Tofu", "Tempeh", "Plant Based Sausage"],
            "olives and antipasti": ["Marinated Artichokes", "Stuffed Peppers", "Antipasto Mix"],
        },
    ),
    "Pasta, Rice & Grains": (
        0.027,
        0.037,
        {
            "dry pasta": ["Spaghetti", "Penne", "Fusilli", "Linguine", "Orzo"],
            "pasta sauces": ["Marinara Sauce", "Alfredo Sauce", "Vodka Sauce", "Arrabbiata"],
            "rice and grains": ["Jasmine Rice", "Brown Rice", "Quinoa", "Couscous", "Farro"],
            "boxed meals and sides": ["Mac and Cheese", "Rice Pilaf", "Instant Noodles"],
            "fresh pasta": ["Cheese Ravioli", "Tortellini", "Gnocchi", "Fettuccine"],
        },
    ),
    "Household Supplies": (
        0.023,
        0.062,
        {
            "paper towels and tissues": ["Paper Towels", "Facial Tissues", "Toilet Paper"],
            "laundry care": ["Laundry Detergent", "Fabric Softener", "Stain Remover"],
            "dish care": ["Dish Soap", "Dishwasher Pods", "Sponges"],
            "cleaning sprays and wipes": ["All Purpose Cleaner", "Disinfecting Wipes"],
            "trash bags and food storage": ["Trash Bags", "Zip Bags", "Aluminum Foil"],
            "batteries and light bulbs": ["AA Batteries", "LED Bulbs", "AAA Batteries"],
            "air care and candles": ["Air Freshener", "Scented Candle", "Odor Eliminator"],
            "plates, cups and cutlery": ["Paper Plates", "Plastic Cups", "Cutlery Set"],
        },
    ),
    "Breakfast & Cereal": (
        0.022,
        0.022,
        {
            "cold cereal": ["Corn Flakes", "Oat Rings", "Bran Flakes", "Honey Clusters"],
            "granola and muesli": ["Granola", "Muesli", "Grain Free Granola"],
            "oatmeal and hot cereal": ["Rolled Oats", "Steel Cut Oats", "Instant Oatmeal"],
            "breakfast bars and toaster treats": ["Toaster Pastries", "Breakfast Biscuits"],
        },
    ),
    "Meat & Seafood": (
        0.022,
        0.018,
        {
            "poultry": ["Chicken Breasts", "Chicken Thighs", "Ground Turkey", "Whole Chicken"],
            "beef and pork": ["Ground Beef", "Pork Chops", "Sirloin Steak", "Pork Tenderloin"],
            "fish and shellfish": ["Salmon Fillet", "Cod Fillet", "Shrimp", "Scallops"],
            "bacon and sausages": ["Bacon", "Breakfast Sausage", "Chicken Sausage", "Hot Dogs"],
            "marinated and ready to cook": ["Marinated Chicken", "Kebabs", "Meatballs"],
        },
    ),
    "Personal Care": (
        0.014,
        0.13,
        {
            "shampoo and conditioner": ["Shampoo", "Conditioner", "Dry Shampoo"],
            "soap and body wash": ["Body Wash", "Bar Soap", "Hand Soap"],
            "oral care": ["Toothpaste", "Toothbrush", "Mouthwash", "Dental Floss"],
            "skin care and sun care": ["Face Moisturizer", "Sunscreen", "Lip Balm"],
            "deodorants": ["Deodorant Stick", "Antiperspirant", "Deodorant Spray"],
            "vitamins and supplements": ["Multivitamin", "Vitamin D3", "Fish Oil", "Probiotic"],
            "cold, flu and allergy": ["Cough Drops", "Allergy Tablets", "Pain Reliever"],
            "first aid": ["Bandages", "Antiseptic Cream", "Cotton Swabs"],
            "shaving and grooming": ["Razors", "Shaving Cream", "Hair Gel"],
            "feminine care": ["Pads", "Tampons", "Liners"],
            "hair color and styling": ["Hair Color", "Hair Spray", "Styling Cream"],
        },
    ),
    "Baby & Kids": (
        0.013,
        0.022,
        {
            "baby food pouches and jars": ["Fruit Puree Pouch", "Veggie Puree", "Baby Oatmeal"],
            "diapers and wipes": ["Diapers", "Baby Wipes", "Training Pants"],
            "baby formula": ["Infant Formula", "Toddler Formula", "Sensitive Formula"],
            "kids snacks": ["Puffs", "Teething Wafers", "Yogurt Melts", "Animal Crackers"],
            "baby bath and skin care": ["Baby Shampoo", "Diaper Cream", "Baby Lotion"],
            "baby bottles and accessories": ["Baby Bottles", "Pacifiers", "Sippy Cups"],
        },
    ),
    "International Cuisine": (
        0.008,
        0.023,
        {
            "asian foods": ["Soy Sauce", "Rice Noodles", "Sriracha", "Miso Paste", "Nori"],
            "latin american foods": ["Taco Shells", "Enchilada Sauce", "Chipotle Peppers"],
            "indian foods": ["Tikka Masala Sauce", "Basmati Rice", "Mango Chutney"],
            "mediterranean and middle eastern": ["Tahini", "Harissa", "Falafel Mix", "Za'atar"],
            "european specialties": ["Sauerkraut", "Lingonberry Jam", "Stroopwafels"],
        },
    ),
    "Wine, Beer & Spirits": (
        0.005,
        0.021,
        {
            "red wine": ["Cabernet Sauvignon", "Pinot Noir", "Merlot", "Malbec"],
            "white and sparkling wine": ["Chardonnay", "Sauvignon Blanc", "Prosecco", "Rose"],
            "beer and cider": ["IPA", "Pale Lager", "Stout", "Hard Cider", "Wheat Beer"],
            "spirits": ["Vodka", "Gin", "Bourbon", "Tequila", "Rum"],
            "hard seltzers": ["Hard Seltzer", "Canned Cocktail", "Spiked Lemonade"],
        },
    ),
    "Pet Care": (
        0.003,
        0.02,
        {
            "dog food and treats": ["Dry Dog Food", "Wet Dog Food", "Dog Biscuits"],
            "cat food and litter": ["Dry Cat Food", "Wet Cat Food", "Cat Litter"],
            "pet supplies": ["Chew Toy", "Pet Shampoo", "Poop Bags"],
        },
    ),
    "Miscellaneous": (
        0.002,
        0.025,
        {
            "seasonal and party goods": ["Birthday Candles", "Party Napkins", "Gift Bags"],
            "kitchen tools": ["Measuring Cups", "Spatula", "Food Thermometer"],
            "uncategorised items": ["Assorted Item", "Variety Pack", "Sampler Box"],
        },
    ),
    "Health Foods": (
        0.006,
        0.025,
        {
            "protein powders": ["Whey Protein", "Pea Protein", "Collagen Peptides"],
            "superfoods and seeds": ["Chia Seeds", "Flax Seeds", "Hemp Hearts", "Spirulina"],
            "gluten free foods": ["Gluten Free Bread", "Gluten Free Pasta", "Rice Cakes"],
            "keto and low sugar": ["Keto Bars", "Sugar Free Syrup", "Coconut Flour"],
            "sports nutrition": ["Energy Gels", "Recovery Drink Mix", "Amino Powder"],
        },
    ),
    "Bulk Bins": (
        0.001,
        0.006,
        {
            "bulk grains and legumes": ["Bulk Lentils", "Bulk Oats", "Bulk Split Peas"],
            "bulk nuts and dried fruit": ["Bulk Walnuts", "Bulk Dates", "Bulk Cranberries"],
        },
    ),
}

BRAND_PARTS_A = [
    "Sun", "Green", "Maple", "River", "Golden", "Harvest", "Blue", "Oak", "Silver", "Meadow",
    "Stone", "Pine", "Cedar", "Honey", "Red", "North", "Bright", "Wild", "Clear", "Happy",
]  # fmt: skip
BRAND_PARTS_B = [
    "field", "valley", "grove", "brook", "farm", "hill", "crest", "wood", "leaf", "acre",
    "ridge", "root", "bay", "spring", "land", "stead", "haven", "vale", "path", "mill",
]  # fmt: skip
# Descriptors that fit any grocery item, plus department-specific ones (so names stay plausible:
# "Smoked" salmon, "Greek" yogurt, "Unscented" detergent).
GENERAL_DESCRIPTORS = ["Organic", "Classic", "Original", "Premium", "Natural", "Select", "Simply"]
DEPT_DESCRIPTORS: dict[str, list[str]] = {
    "Fresh Produce": ["Fresh", "Local", "Ripe", "Baby", "Heirloom", "Sweet", "Washed", "Petite"],
    "Dairy & Eggs": ["Greek", "Whole", "Low Fat", "Grass Fed", "Creamy", "Vanilla", "Aged"],
    "Snacks & Sweets": ["Sea Salt", "Spicy", "Honey Roasted", "Crunchy", "Lightly Salted"],
    "Beverages": ["Sparkling", "Unsweetened", "Lemon", "Berry", "Zero Sugar", "Dark", "Iced"],
    "Frozen Foods": ["Homestyle", "Italian Style", "Family", "Roasted", "Crispy", "Steam"],
    "Pantry Staples": ["Extra Virgin", "Pure", "Smooth", "Crunchy", "Spicy", "Reduced Sugar"],
    "Bakery & Bread": ["Whole Grain", "Sprouted", "Artisan", "Butter", "Seeded", "Honey Wheat"],
    "Canned & Jarred": ["Reduced Sodium", "No Salt Added", "Fire Roasted", "Hearty", "Light"],
    "Deli & Prepared": ["Smoked", "Hickory", "Roasted Garlic", "Mediterranean", "Herb"],
    "Pasta, Rice & Grains": ["Whole Wheat", "Bronze Cut", "Tricolor", "Long Grain", "Garlic"],
    "Household Supplies": ["Unscented", "Fresh Scent", "Ultra", "Lavender", "Heavy Duty", "Eco"],
    "Breakfast & Cereal": ["Honey Nut", "Cinnamon", "Multigrain", "Maple", "Crunchy", "Frosted"],
    "Meat & Seafood": ["Boneless", "Wild Caught", "Grass Fed", "Smoked", "Lean", "Thick Cut"],
    "Personal Care": ["Sensitive", "Daily", "Coconut", "Mint", "Unscented", "Extra Strength"],
    "Baby & Kids": ["Gentle", "Stage 2", "Stage 3", "Hypoallergenic", "Apple", "Banana"],
    "International Cuisine": ["Authentic", "Spicy", "Mild", "Traditional", "Tangy", "Smoky"],
    "Wine, Beer & Spirits": ["Reserve", "Dry", "Craft", "Barrel Aged", "Light", "Small Batch"],
    "Pet Care": ["Chicken Recipe", "Salmon Recipe", "Grain Free", "Senior", "Puppy", "Indoor"],
    "Miscellaneous": ["Assorted", "Deluxe", "Colorful", "Reusable", "Compact"],
    "Health Foods": ["Raw", "Plant Based", "Keto", "Unflavored", "Chocolate", "Vanilla"],
    "Bulk Bins": ["Raw", "Roasted", "Whole", "Split", "Unsalted"],
}
SIZES = [
    "", "", "", "", "Family Size", "Value Pack", "Mini", "Single Serve", "12 oz", "16 oz",
    "6 ct", "24 ct", "32 oz", "Twin Pack", "1 lb", "2 lb", "Large", "Snack Size",
]  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    """Catalog arrays, indexed by product index 0..N-1 (product_id = index + 1).

    Products are stored grouped by aisle (aisle_of is non-decreasing) so that per-aisle
    slices are contiguous; product ids are still spread over aisles like the real file
    because ids are assigned by a random permutation (`product_id`).
    """

    department_names: list[str]
    aisle_names: list[str]
    aisle_department: np.ndarray  # aisle index -> department index
    aisle_start: np.ndarray  # first product index of each aisle (len n_aisles + 1)
    aisle_of: np.ndarray  # product index -> aisle index
    product_id: np.ndarray  # product index -> product_id (1-based, permutation)
    product_names: list[str]  # by product index
    organic: np.ndarray  # bool, product name starts with "Organic" descriptor
    popularity: np.ndarray  # global purchase weight per product (sums to 1)
    within_aisle: np.ndarray  # popularity normalised within the aisle (sums to 1 per aisle)
    aisle_weight: np.ndarray  # popularity mass per aisle (sums to 1)


def _brands(rng: np.random.Generator) -> list[str]:
    """Fictional two-part brand names like 'Maplebrook' (400 combinations)."""
    names = [a + b for a in BRAND_PARTS_A for b in BRAND_PARTS_B]
    return [names[i] for i in rng.permutation(len(names))]


def _aisle_sizes(rng: np.random.Generator, dept_range: list[float], per_dept: list[int]):
    """Products per aisle: department range share split unevenly (lognormal) over aisles."""
    sizes: list[float] = []
    for share, n_aisles in zip(dept_range, per_dept, strict=True):
        w = rng.lognormal(0.0, 0.6, n_aisles)
        sizes.extend(share * w / w.sum())
    raw = np.asarray(sizes) / np.sum(sizes) * N_PRODUCTS
    counts = np.maximum(np.floor(raw).astype(np.int64), 12)
    # Fix the total to exactly N_PRODUCTS by adjusting the largest aisles.
    diff = N_PRODUCTS - int(counts.sum())
    order = np.argsort(-counts)
    i = 0
    while diff != 0:
        step = 1 if diff > 0 else -1
        counts[order[i % len(order)]] += step
        diff -= step
        i += 1
    return counts


def _product_names(
    rng: np.random.Generator,
    bases: list[str],
    descriptors: list[str],
    n: int,
    brands: list[str],
    used: set[str],
) -> list[str]:
    """n unique names for one aisle from brand x descriptor x base x size combinations."""
    out: list[str] = []
    while len(out) < n:
        k = (n - len(out)) * 2 + 8
        b = rng.integers(0, len(brands), k)
        d = rng.integers(0, len(descriptors), k)
        i = rng.integers(0, len(bases), k)
        s = rng.integers(0, len(SIZES), k)
        plain = rng.random(k) < 0.12  # some store-label items without a brand
        for j in range(k):
            name = f"{descriptors[d[j]]} {bases[i[j]]}"
            if not plain[j]:
                name = f"{brands[b[j]]} {name}"
            if SIZES[s[j]]:
                name = f"{name}, {SIZES[s[j]]}"
            if name not in used:
                used.add(name)
                out.append(name)
                if len(out) == n:
                    break
    return out


def build_catalog(rng: np.random.Generator, zipf_exponent: float = 1.05) -> Catalog:
    """Build the full catalog (names, aisle structure and heavy-tailed popularity)."""
    department_names = list(DEPARTMENTS)
    aisle_names: list[str] = []
    aisle_department: list[int] = []
    aisle_bases: list[list[str]] = []
    dept_line_share: list[float] = []
    dept_range: list[float] = []
    per_dept: list[int] = []
    for d, (name, (line_share, range_share, aisles)) in enumerate(DEPARTMENTS.items()):
        del name
        dept_line_share.append(line_share)
        dept_range.append(range_share)
        per_dept.append(len(aisles))
        for aisle, bases in aisles.items():
            aisle_names.append(aisle)
            aisle_department.append(d)
            aisle_bases.append(bases)
    n_aisles = len(aisle_names)
    counts = _aisle_sizes(rng, dept_range, per_dept)
    aisle_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    aisle_of = np.repeat(np.arange(n_aisles, dtype=np.int64), counts)

    brands = _brands(rng)
    used: set[str] = set()
    names: list[str] = []
    for a in range(n_aisles):
        desc = GENERAL_DESCRIPTORS + DEPT_DESCRIPTORS[department_names[aisle_department[a]]]
        names.extend(_product_names(rng, aisle_bases[a], desc, int(counts[a]), brands, used))
    organic = np.fromiter((n.split(" ", 2)[:2].count("Organic") > 0 for n in names), bool)

    # Aisle mass: department line share split unevenly over its aisles.
    dept_arr = np.asarray(aisle_department)
    share = np.asarray(dept_line_share) / np.sum(dept_line_share)
    aw = rng.lognormal(0.0, 0.5, n_aisles)
    aisle_weight = np.empty(n_aisles)
    for d in range(len(department_names)):
        m = dept_arr == d
        aisle_weight[m] = share[d] * aw[m] / aw[m].sum()
    # Zipf inside each aisle over a random rank order.
    within = np.empty(N_PRODUCTS)
    for a in range(n_aisles):
        lo, hi = aisle_start[a], aisle_start[a + 1]
        ranks = rng.permutation(hi - lo) + 1.0
        w = ranks**-zipf_exponent
        within[lo:hi] = w / w.sum()
    popularity = within * aisle_weight[aisle_of]
    popularity /= popularity.sum()
    product_id = rng.permutation(N_PRODUCTS).astype(np.int64) + 1
    return Catalog(
        department_names=department_names,
        aisle_names=aisle_names,
        aisle_department=dept_arr,
        aisle_start=aisle_start,
        aisle_of=aisle_of,
        product_id=product_id,
        product_names=names,
        organic=organic,
        popularity=popularity,
        within_aisle=within,
        aisle_weight=aisle_weight,
    )
