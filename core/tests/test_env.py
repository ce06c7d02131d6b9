import pytest
from django.core.exceptions import ImproperlyConfigured

from xinfang.env import env_bool, env_choice, env_int, env_list, secret_from_file


def test_env_bool_accepts_common_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False


def test_env_bool_rejects_garbage_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_range_and_type(monkeypatch):
    monkeypatch.setenv("X_NUM", "abc")
    with pytest.raises(ImproperlyConfigured, match="X_NUM='abc' is not an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 1"):
        env_int("X_NUM", 5, minimum=1)
    monkeypatch.setenv("X_NUM", "42")
    assert env_int("X_NUM", 5, minimum=1) == 42


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_CHOICE", "LOUD")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE='LOUD' must be one of"):
        env_choice("X_CHOICE", "INFO", {"INFO", "DEBUG"})


def test_secret_file_generated_once_and_private(tmp_path):
    path = tmp_path / "var" / "secret.key"
    first = secret_from_file(path, generate=True)
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret_from_file(path, generate=True) == first
    with pytest.raises(ImproperlyConfigured, match="missing"):
        secret_from_file(tmp_path / "other.key", generate=False)
