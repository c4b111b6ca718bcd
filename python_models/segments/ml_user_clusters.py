"""dbt Python model: every user's behavioural cluster at the chosen k (ml.segments)."""

from ml.segments.config import segment_settings
from ml.segments.pipeline import clusters_table


def model(dbt, session):
    # dbt passes a config value only to a literal dbt.config.get("name") call
    dbt.config(materialized="table", schema="ml", tags=["python", "ml"])
    return clusters_table(
        dbt.ref("feat_user_behaviour"),
        dbt.ref("feat_user_aisle_share"),
        dbt.ref("ml_cluster_selection"),
        segment_settings(
            {
                "k_min": dbt.config.get("k_min"),
                "k_max": dbt.config.get("k_max"),
                "fixed_k": dbt.config.get("fixed_k"),
                "seeds": dbt.config.get("seeds"),
                "seed": dbt.config.get("seed"),
                "sweep_users": dbt.config.get("sweep_users"),
                "silhouette_users": dbt.config.get("silhouette_users"),
                "pca_variance": dbt.config.get("pca_variance"),
                "pca_max_components": dbt.config.get("pca_max_components"),
            }
        ),
    )
