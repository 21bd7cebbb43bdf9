"""Pure parts of the service layer: the status -> error table, URL building, settings from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from browser.couch import errors
from browser.couch.client import CouchClient, couch_url, json_param, quote_segment
from couchadmin import env
from tests.support.contract import exchanges

REPO = Path(__file__).resolve().parents[1]
HOSTILE = json.loads((REPO.parent / "shared" / "hostile-names.json").read_text())


@pytest.mark.parametrize("status, cls", [
    (400, errors.BadRequest), (401, errors.Unauthorized), (403, errors.Forbidden), (404, errors.NotFound),
    (409, errors.Conflict), (412, errors.PreconditionFailed), (413, errors.PayloadTooLarge),
    (415, errors.UnsupportedMediaType), (500, errors.ServerError), (502, errors.ServerError),
    (503, errors.ServerError),
])
def test_it_maps_each_status_to_its_error(status, cls):
    error = errors.error_for(status, {"error": "e", "reason": "r"})
    assert type(error) is cls and error.status == status and (error.error, error.reason) == ("e", "r")


def test_every_recorded_couchdb_error_maps_to_the_class_for_its_status():
    for recorded in exchanges("errors.json"):
        status, body = recorded["response"]["status"], recorded["response"]["body"]
        if status < 400:
            continue
        error = errors.error_for(status, body)
        assert error.status == status, recorded["name"]
        if isinstance(body, dict):
            assert error.error == body.get("error", "") and error.reason == body.get("reason", "")


def test_pouchdb_messages_and_text_bodies_become_reasons():
    assert errors.error_for(400, {"error": "bad_request", "message": "m"}).reason == "m"
    assert errors.error_for(502, "<html>Bad gateway</html>").reason == "<html>Bad gateway</html>"
    assert errors.error_for(418, {}).message == "CouchDB answered 418."


class _Refusing:
    def __init__(self, exc):
        self.exc = exc

    def request(self, *args, **kwargs):
        raise self.exc


@pytest.mark.parametrize("exc, words", [
    (requests.ConnectTimeout(), "no answer within 3 seconds"),
    (requests.ConnectionError("[Errno 111] Connection refused"), "connection was refused"),
    (requests.ConnectionError("Failed to resolve 'couch.invalid'"), "could not be resolved"),
])
def test_unreachable_servers_become_couch_unavailable_with_a_human_reason(exc, words):
    client = CouchClient(http=_Refusing(exc), base_url="http://couch.test/", timeout=3)
    with pytest.raises(errors.CouchUnavailable) as raised:
        client.get_json("_up")
    assert words in raised.value.reason and raised.value.url == "http://couch.test/"


def test_database_names_with_slashes_are_one_segment():
    assert couch_url("http://h/", ["team/orders", "doc"]) == "http://h/team%2Forders/doc"


def test_design_and_local_ids_keep_their_first_slash_only():
    assert quote_segment("_design/with/slash") == "_design/with%2Fslash"
    assert quote_segment("_local/x y") == "_local/x%20y"


def test_dot_segments_are_encoded_so_clients_keep_them():
    assert quote_segment("..") == "%2E%2E" and quote_segment(".") == "%2E"


@pytest.mark.parametrize("docid", HOSTILE["document_ids"])
def test_every_hostile_id_round_trips_through_the_url(docid):
    url = couch_url("http://h/couch/", ["db", docid])
    path = url[len("http://h/couch/db/"):]
    assert "?" not in path and "#" not in path and " " not in path
    assert unquote(path) == docid


def test_a_sub_path_is_kept_with_or_without_its_trailing_slash():
    assert couch_url("http://h/couch", ["_up"]) == couch_url("http://h/couch/", ["_up"]) == "http://h/couch/_up"


def test_query_parameters_are_encoded_and_none_is_dropped():
    url = couch_url("http://h/", ["db", "_all_docs"], {"startkey": json_param("a&b"), "descending": True,
                                                       "skip": None})
    assert url == "http://h/db/_all_docs?startkey=%22a%26b%22&descending=true"


@pytest.mark.parametrize("word, value", [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans_from_the_environment(monkeypatch, word, value):
    monkeypatch.setenv("X_FLAG", word)
    assert env.env_bool("X_FLAG") is value


def test_a_bad_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env.env_bool("X_FLAG")


@pytest.mark.parametrize("raw", ["abc", "0", "-3"])
def test_numbers_must_be_positive(monkeypatch, raw):
    monkeypatch.setenv("X_NUM", raw)
    with pytest.raises(ImproperlyConfigured):
        env.env_positive_float("X_NUM", 1.0)


@pytest.mark.parametrize("raw", ["http://admin:secret@h/", "ftp://h/", "http://h/?x=1", "http://h:99999/", "h"])
def test_couchdb_urls_are_refused_when_unsafe_or_malformed(monkeypatch, raw):
    monkeypatch.setenv("X_URL", raw)
    with pytest.raises(ImproperlyConfigured):
        env.env_couchdb_url("X_URL", "")


def test_couchdb_urls_keep_a_sub_path(monkeypatch):
    monkeypatch.setenv("X_URL", "https://h.example/couch")
    assert env.env_couchdb_url("X_URL", "") == "https://h.example/couch/"


def test_a_development_secret_key_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key("SECRET_KEY", True, tmp_path)
    assert first == env.secret_key("SECRET_KEY", True, tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(DJANGO_SETTINGS_MODULE="couchadmin.settings", COUCHADMIN_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=REPO, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
