"""One set of exit statuses, the one ``predict --help`` and the Spark job document."""

from __future__ import annotations

import re

from claim_risk import exits
from claim_risk.frontends import cli, spark_job


def test_statuses_are_distinct_and_those_users_were_promised() -> None:
    codes = {name: getattr(exits, name) for name in exits.__all__}
    assert codes == {
        "EXIT_OK": 0,
        "EXIT_INTERNAL": 1,
        "EXIT_USAGE": 2,
        "EXIT_UNREADABLE": 3,
        "EXIT_EMPTY_DIR": 4,
        "EXIT_NOT_TEXT": 5,
        "EXIT_EMPTY_INPUT": 6,
        "EXIT_MODEL": 7,
    }


def test_the_help_texts_describe_these_statuses() -> None:
    said = dict(re.findall(r"\b([0-7]) ([a-z]+)", cli.build_parser().format_help()))
    assert said[str(exits.EXIT_OK)] == "success"
    assert said[str(exits.EXIT_INTERNAL)] == "internal"
    assert said[str(exits.EXIT_USAGE)] == "usage"
    assert said[str(exits.EXIT_UNREADABLE)] == "file"
    assert said[str(exits.EXIT_EMPTY_DIR)] == "folder"
    assert said[str(exits.EXIT_NOT_TEXT)] == "input"
    assert said[str(exits.EXIT_EMPTY_INPUT)] == "empty"
    assert said[str(exits.EXIT_MODEL)] == "model"
    spark = spark_job.EPILOG
    assert f"{exits.EXIT_UNREADABLE} input not found" in spark
    assert f"{exits.EXIT_MODEL} model missing" in spark
