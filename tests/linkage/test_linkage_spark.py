"""The Spark backend (Splink's SparkAPI, local mode): the same clusters as DuckDB on a few hundred records.

Deselect with ``-m "not spark"``; CI runs it (it needs pyspark and Java 17)."""

import os

import pytest

from dadkhah.access import SYSTEM

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("pyspark is required under CI for the Spark linkage test")
        pytest.skip("pyspark is not installed")
    from dadkhah.linkage.engine import spark_session

    session = spark_session(cores=1)
    yield session
    session.stop()


def test_a_run_on_spark_gives_the_clusters_of_a_run_on_duckdb(sqlite_case, import_lists, trained_model, spark):
    from dadkhah.linkage.engine import EngineOptions
    from dadkhah.linkage.service import current_clusters, run_linkage

    import_lists(sqlite_case)
    on_duckdb = run_linkage(sqlite_case, options=EngineOptions(model=trained_model), principal=SYSTEM)
    with sqlite_case.reader(SYSTEM) as s:
        duckdb_clusters = current_clusters(s)
    on_spark = run_linkage(sqlite_case, options=EngineOptions(backend="spark", spark_session=spark,
                                                              model=trained_model), principal=SYSTEM)
    with sqlite_case.reader(SYSTEM) as s:
        assert current_clusters(s) == duckdb_clusters
    assert on_spark.backend == "spark" and on_spark.clusters == on_duckdb.clusters
    assert on_spark.persons["created"] == 0  # same clusters: the merged persons stay as they are
