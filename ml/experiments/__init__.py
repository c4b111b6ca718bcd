"""Campaign experiments: read-outs of a (possibly non-random) treatment assignment.

Plain functions over arrays/frames (estimates, matching, uplift, bayes) and the table
builders the dbt Python models call (pipeline). Input: mart_experiment_user_outcomes.
"""
