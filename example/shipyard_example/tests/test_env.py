import pytest
from django.core.exceptions import ImproperlyConfigured

from shipyard_example.env import env_bool, env_float, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True),
     ("0", False), ("False", False), ("no", False), ("OFF", False)],
)
def test_env_bool_accepts_the_usual_spellings(raw, expected):
    assert env_bool("FLAG", not expected, environ={"FLAG": raw}) is expected


def test_env_bool_falls_back_to_default_when_unset_or_blank():
    assert env_bool("FLAG", True, environ={}) is True
    assert env_bool("FLAG", False, environ={"FLAG": "  "}) is False


def test_env_bool_rejects_a_typo_and_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match=r"Invalid FLAG 'ture'\. Expected one of"):
        env_bool("FLAG", False, environ={"FLAG": "ture"})


def test_env_int_parses_and_rejects():
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, environ={"N": "3600"}) == 3600
    with pytest.raises(ImproperlyConfigured, match="Invalid N '-1'"):
        env_int("N", 5, environ={"N": "-1"})


@pytest.mark.parametrize("raw", ["abc", "1.5", "-0.1", "nan"])
def test_env_float_rejects_non_numbers_and_out_of_range(raw):
    with pytest.raises(ImproperlyConfigured, match="Expected a number from 0.0 to 1.0"):
        env_float("RATE", 0.0, minimum=0.0, maximum=1.0, environ={"RATE": raw})


def test_env_float_parses_in_range():
    assert env_float("RATE", 0.0, minimum=0.0, maximum=1.0, environ={"RATE": "0.25"}) == 0.25
    assert env_float("RATE", 0.5, minimum=0.0, maximum=1.0, environ={}) == 0.5


def test_env_list_and_env_str():
    environ = {"HOSTS": " a.example , ,b.example,", "NAME": "  value  "}
    assert env_list("HOSTS", environ=environ) == ["a.example", "b.example"]
    assert env_list("MISSING", ["x"], environ=environ) == ["x"]
    assert env_str("NAME", environ=environ) == "value"
    assert env_str("MISSING", "fallback", environ=environ) == "fallback"
