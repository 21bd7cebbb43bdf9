"""Settings come from the environment through small typed helpers that fail loudly (couchadmin/env.py)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from couchadmin import env

REPO = Path(__file__).resolve().parents[1]
VAR = "COUCHADMIN_TEST_VALUE"


@pytest.fixture
def setenv(monkeypatch):
    def set_value(raw):
        monkeypatch.setenv(VAR, raw)
    monkeypatch.delenv(VAR, raising=False)
    return set_value


# --- env_bool ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "yes", "on", "TRUE", "Yes", " on ", "True\n"])
def test_env_bool_reads_true_words(setenv, word):
    setenv(word)
    assert env.env_bool(VAR) is True


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "", "  ", "FALSE", "Off"])
def test_env_bool_reads_false_words(setenv, word):
    setenv(word)
    assert env.env_bool(VAR, default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_answers_the_default_when_unset(setenv, default):
    assert env.env_bool(VAR, default) is default


@pytest.mark.parametrize("word", ["maybe", "2", "y", "n", "enabled", "truee", "-1"])
def test_env_bool_refuses_other_words_naming_the_variable(setenv, word):
    setenv(word)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env.env_bool(VAR)


# --- env_positive_float / env_positive_int ----------------------------------------------------------------------


@pytest.mark.parametrize("raw, value", [("2.5", 2.5), ("10", 10.0), (" 0.25 ", 0.25), ("1e1", 10.0)])
def test_env_positive_float_reads_positive_numbers(setenv, raw, value):
    setenv(raw)
    assert env.env_positive_float(VAR, 1.0) == value


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_positive_float_answers_the_default_when_unset_or_blank(setenv, raw):
    if raw is not None:
        setenv(raw)
    assert env.env_positive_float(VAR, 10.0) == 10.0


@pytest.mark.parametrize("raw", ["abc", "ten", "1,5", "5s", "0", "0.0", "-0", "-3", "-0.5", "nan", "inf", "-inf"])
def test_env_positive_float_refuses_junk_zero_negatives_and_infinity(setenv, raw):
    # An infinite COUCHDB_TIMEOUT would reach requests, which raises OverflowError on every request.
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env.env_positive_float(VAR, 1.0)


@pytest.mark.parametrize("raw, value", [("1", 1), ("20", 20), (" 7 ", 7), ("4294967296", 4294967296)])
def test_env_positive_int_reads_whole_positive_numbers(setenv, raw, value):
    setenv(raw)
    assert env.env_positive_int(VAR, 3) == value


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_positive_int_answers_the_default_when_unset_or_blank(setenv, raw):
    if raw is not None:
        setenv(raw)
    assert env.env_positive_int(VAR, 3) == 3


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "ten", "0", "-1", "-20", "0x10"])
def test_env_positive_int_refuses_junk_fractions_zero_and_negatives(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env.env_positive_int(VAR, 3)


# --- env_couchdb_url --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, url", [
    ("http://127.0.0.1:5984", "http://127.0.0.1:5984/"),
    ("http://127.0.0.1:5984/", "http://127.0.0.1:5984/"),
    ("https://couch.example.com", "https://couch.example.com/"),
    ("https://couch.example.com/couch", "https://couch.example.com/couch/"),
    ("https://couch.example.com/couch/", "https://couch.example.com/couch/"),
    ("https://couch.example.com/a/b//", "https://couch.example.com/a/b/"),
    ("  http://[::1]:5984  ", "http://[::1]:5984/"),
])
def test_env_couchdb_url_ends_with_one_slash_and_keeps_a_sub_path(setenv, raw, url):
    setenv(raw)
    assert env.env_couchdb_url(VAR, "http://default:5984/") == url


def test_env_couchdb_url_answers_the_default_when_unset(setenv):
    assert env.env_couchdb_url(VAR, "http://127.0.0.1:5984") == "http://127.0.0.1:5984/"


@pytest.mark.parametrize("raw", ["http://admin:secret@couch.example/", "https://admin@couch.example/",
                                 "http://:secret@couch.example/"])
def test_env_couchdb_url_refuses_credentials(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match="must not contain a user name or password"):
        env.env_couchdb_url(VAR, "")


@pytest.mark.parametrize("raw", ["ftp://admin:s3cr3t-pw@couch.example/", "http://admin:s3cr3t-pw@couch.example:99999/",
                                 "http://admin:s3cr3t-pw@couch.example/?x=1", "http://admin:s3cr3t-pw@/"])
def test_env_couchdb_url_never_repeats_a_password_in_its_error(setenv, raw):
    # Start-up errors land in logs and tracebacks; a password written into the URL must not follow it there.
    setenv(raw)
    with pytest.raises(ImproperlyConfigured) as raised:
        env.env_couchdb_url(VAR, "")
    assert "s3cr3t-pw" not in str(raised.value)


@pytest.mark.parametrize("raw", [
    "ftp://couch.example/", "file:///etc/passwd", "javascript:alert(1)", "couch.example:5984", "couch.example",
    "//couch.example/", "http://", "http:///db", "",
])
def test_env_couchdb_url_refuses_anything_but_http_with_a_host(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env.env_couchdb_url(VAR, "")


@pytest.mark.parametrize("raw", ["http://couch.example/?x=1", "http://couch.example/couch?", "http://couch.example/#top"])
def test_env_couchdb_url_refuses_query_strings_and_fragments(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match="query string or fragment"):
        env.env_couchdb_url(VAR, "")


@pytest.mark.parametrize("raw", ["http://couch.example:99999/", "http://couch.example:abc/", "http://couch.example:-1/"])
def test_env_couchdb_url_refuses_bad_ports(setenv, raw):
    setenv(raw)
    with pytest.raises(ImproperlyConfigured, match="invalid port"):
        env.env_couchdb_url(VAR, "")


# --- secret_key -------------------------------------------------------------------------------------------------


def test_secret_key_is_generated_once_into_the_var_dir_in_development(tmp_path, setenv):
    var_dir = tmp_path / "var" / "nested"
    first = env.secret_key(VAR, True, var_dir)
    second = env.secret_key(VAR, True, var_dir)
    assert first == second
    assert len(first) >= 50
    secret_file = var_dir / "secret_key"
    assert secret_file.read_text().strip() == first
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_a_generated_secret_is_never_readable_by_others_even_while_written(tmp_path, monkeypatch):
    # With a permissive umask and no chmod afterwards, the file must still be created private.
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    old_umask = os.umask(0)
    try:
        env.generated_secret(tmp_path / "secret", 18)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_an_existing_secret_file_is_read_back_and_never_overwritten(tmp_path):
    (tmp_path / "secret").write_text("made-earlier\n")
    assert env.generated_secret(tmp_path / "secret", 18) == "made-earlier"
    assert (tmp_path / "secret").read_text() == "made-earlier\n"


def test_secret_key_generates_different_keys_for_different_installations(tmp_path, setenv):
    assert env.secret_key(VAR, True, tmp_path / "one") != env.secret_key(VAR, True, tmp_path / "two")


def test_secret_key_from_the_environment_wins_and_writes_nothing(tmp_path, setenv):
    setenv("  from-the-environment  ")
    assert env.secret_key(VAR, True, tmp_path) == "from-the-environment"
    assert env.secret_key(VAR, False, tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_secret_key_is_required_when_debug_is_off(tmp_path, setenv, raw):
    if raw is not None:
        setenv(raw)
    with pytest.raises(ImproperlyConfigured, match=f"{VAR} must be set when DEBUG is off"):
        env.secret_key(VAR, False, tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_a_production_start_without_secret_key_fails_naming_it(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    environment.update(DJANGO_SETTINGS_MODULE="couchadmin.settings", DEBUG="0", COUCHADMIN_VAR_DIR=str(tmp_path))
    code = "import django; from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
