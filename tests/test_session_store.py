"""The session store on a real Redis and on files: JSON only, atomic counters, sessions created only if absent
and updated only if present, and sealed so that a copy of the store holds no usable token or cookie."""

import json
import multiprocessing
import subprocess
import threading

import pytest
import redis
from django.test import override_settings

from browser.session_backend import SessionStore, seal, storage_name, unseal
from browser.session_store import FileStore, RedisStore, StoreUnavailable, session_store
from embedded.pouchdb import free_port
from tests.test_shared_sessions import REDIS_SERVER, redis_server, redis_url, wait_for_port  # noqa: F401 - fixtures


@pytest.fixture(params=["files", "redis"])
def store_settings(request, tmp_path):
    """Settings naming a store of this test's own, of each kind."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    with override_settings(SESSION_STORE_URL=url, SESSION_STORE_DIR=str(tmp_path / "store")):
        yield request.param


@pytest.fixture
def store(store_settings):
    return session_store()


def raw_write(store, key, raw):
    """Write bytes under a key as someone with access to the store would, bypassing its JSON."""
    if isinstance(store, RedisStore):
        store.client.set(key, raw)
    else:
        store.folder.mkdir(parents=True, exist_ok=True)
        store.path(key).write_bytes(raw)


def test_values_round_trip_as_json_and_expire(store):
    assert store.add_json("k", {"a": [1, "é"]}, 60)
    assert store.get_json("k") == {"a": [1, "é"]}
    assert not store.add_json("k", {"other": 1}, 60)  # only if absent
    assert store.update_json("k", {"b": 2}, 60) and store.get_json("k") == {"b": 2}
    store.delete("k")
    assert store.get_json("k") is None
    assert not store.update_json("k", {"c": 3}, 60)  # only if present: a deleted session stays deleted


@pytest.mark.parametrize("garbage", [b"\x80\x04\x95junk.", b"not json", b"{\"truncated\": ", b"[" * 100_000])
def test_anything_but_json_reads_as_missing(store, garbage):
    raw_write(store, "k", garbage)
    assert store.get_json("k") is None
    raw_write(store, "n", garbage)
    assert store.count("n") == 0
    assert store.incr("n", 60) == 1  # a garbage counter starts again


def test_a_redis_key_of_another_type_reads_as_missing(redis_url):  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    client.hset("k", "a", "b")
    store = RedisStore(redis_url, 1.0)
    assert store.get_json("k") is None and store.count("k") == 0
    assert store.incr("k", 60) == 1


def test_a_counter_counts_releases_and_resets(store):
    assert [store.incr("c", 60) for _ in range(3)] == [1, 2, 3]
    store.release("c")
    assert store.count("c") == 2
    store.reset("c")
    assert store.count("c") == 0
    store.release("c")
    assert store.count("c") == 0  # never below zero


def _increment_many(url, folder, times, results):
    with override_settings(SESSION_STORE_URL=url, SESSION_STORE_DIR=folder):
        store = session_store()
        results.put([store.incr("counted", 60) for _ in range(times)])


def test_counting_is_atomic_across_processes_and_threads(store_settings, store):
    from django.conf import settings

    results = multiprocessing.get_context("fork").Queue()
    args = (settings.SESSION_STORE_URL, settings.SESSION_STORE_DIR, 25, results)
    workers = [multiprocessing.get_context("fork").Process(target=_increment_many, args=args) for _ in range(4)]
    threads = [threading.Thread(target=_increment_many, args=args) for _ in range(4)]
    for worker in (*workers, *threads):
        worker.start()
    seen = sorted(n for _ in range(8) for n in results.get(timeout=60))
    for worker in (*workers, *threads):
        worker.join(60)
    assert seen == list(range(1, 201))  # every increment answered a different count: none lost, none shared
    assert store.count("counted") == 200


def test_the_file_store_keeps_its_files_private(tmp_path):
    store = FileStore(tmp_path / "store")
    store.add_json("k", {"a": 1}, 60)
    store.incr("n", 60)
    assert (tmp_path / "store").stat().st_mode & 0o077 == 0
    assert all(path.stat().st_mode & 0o077 == 0 for path in (tmp_path / "store").iterdir())


def test_the_file_store_sweeps_expired_records(tmp_path):
    store = FileStore(tmp_path / "store")
    store.add_json("old", {"a": 1}, 60)
    store.add_json("new", {"a": 2}, 60)
    raw_write(store, "old", json.dumps({"expires": 1, "value": {"a": 1}}).encode())
    raw_write(store, "junk", b"\x80\x04junk")
    store.clear_expired()
    assert not store.path("old").exists() and not store.path("junk").exists()
    assert store.get_json("new") == {"a": 2}


def test_an_unreachable_redis_is_said_in_words_without_its_url_or_password():
    url = f"redis://:s3cret-word@127.0.0.1:{free_port()}/0"
    with pytest.raises(StoreUnavailable) as caught:
        RedisStore(url, 0.5).get_json("k")
    assert caught.value.reason == "the connection was refused (is Redis running?)"
    assert "s3cret" not in str(caught.value) and "127.0.0.1" not in str(caught.value)


def test_a_redis_that_wants_a_password_is_reached_with_the_one_in_the_url(tmp_path):
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--requirepass", "s3cret-word", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        assert RedisStore(f"redis://:s3cret-word@127.0.0.1:{port}/0", 1.0).add_json("k", {"a": 1}, 60)
        with pytest.raises(StoreUnavailable) as caught:
            RedisStore(f"redis://:wrong@127.0.0.1:{port}/0", 1.0).get_json("k")
        assert caught.value.reason == "it refused the dashboard's user name or password"
    finally:
        process.terminate()
        process.wait(10)


# --- the session backend ------------------------------------------------------------------------------------


def test_a_session_is_stored_sealed_under_the_hash_of_its_key(store_settings, store):
    session = SessionStore()
    session["couch_token"] = "secret-couch-token"
    session.save()
    record = store.get_json(storage_name(session.session_key))
    assert "secret-couch-token" not in json.dumps(record) and session.session_key not in json.dumps(record)
    assert SessionStore(session.session_key)["couch_token"] == "secret-couch-token"


def test_a_sealed_record_copied_under_another_session_does_not_open(store_settings, store):
    victim, attacker = SessionStore(), SessionStore()
    victim["couch_token"], attacker["couch_token"] = "victims-token", "attackers-token"
    victim.save()
    attacker.save()
    store.update_json(storage_name(attacker.session_key), store.get_json(storage_name(victim.session_key)), 60)
    assert SessionStore(attacker.session_key).get("couch_token") is None


def test_sessions_sealed_before_a_secret_key_rotation_still_open_with_the_fallback(store_settings, store):
    with override_settings(SECRET_KEY="the-old-secret-key-" + "x" * 40):
        session = SessionStore()
        session["couch_token"] = "kept"
        session.save()
    with override_settings(SECRET_KEY="the-new-secret-key-" + "y" * 40,
                           SECRET_KEY_FALLBACKS=["the-old-secret-key-" + "x" * 40]):
        assert SessionStore(session.session_key)["couch_token"] == "kept"
    with override_settings(SECRET_KEY="the-new-secret-key-" + "y" * 40):
        assert SessionStore(session.session_key).get("couch_token") is None


def test_a_session_deleted_meanwhile_is_not_brought_back_by_a_late_save(store_settings, store):
    from django.contrib.sessions.backends.base import UpdateError

    session = SessionStore()
    session["a"] = 1
    session.save()
    late = SessionStore(session.session_key)
    late["a"]  # noqa: B018 - loaded before the logout elsewhere
    session.delete()
    late["a"] = 2
    with pytest.raises(UpdateError):
        late.save()
    assert not SessionStore().exists(session.session_key)


def test_unseal_refuses_tampering():
    sealed = seal({"couch_token": "t"}, "session:x")
    assert unseal({"sealed": sealed}, "session:x") == {"couch_token": "t"}
    flipped = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    assert unseal({"sealed": flipped}, "session:x") is None
    assert unseal({"sealed": "%%%"}, "session:x") is None and unseal(["x"], "session:x") is None


# --- SESSION_STORE_URL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["redis://:pw@host:6379/0", "rediss://user:pw@host:6380/2", "redis://host"])
def test_session_store_url_takes_redis_urls_with_a_password_and_tls(monkeypatch, url):
    from couchadmin.env import env_redis_url

    monkeypatch.setenv("SESSION_STORE_URL", url)
    assert env_redis_url("SESSION_STORE_URL") == url


def test_session_store_url_may_come_from_a_file(monkeypatch, tmp_path):
    from couchadmin.env import env_redis_url

    (tmp_path / "url").write_text("rediss://:from-a-file@host:6380/0\n")
    monkeypatch.setenv("SESSION_STORE_URL_FILE", str(tmp_path / "url"))
    assert env_redis_url("SESSION_STORE_URL") == "rediss://:from-a-file@host:6380/0"


@pytest.mark.parametrize("url", ["http://:pw@host:6379/0", "redis://:pw@host:port/0", "redis://:pw@host:6379/zero",
                                 "redis:///0"])
def test_a_bad_session_store_url_stops_start_up_without_repeating_its_password(monkeypatch, url):
    from django.core.exceptions import ImproperlyConfigured

    from couchadmin.env import env_redis_url

    monkeypatch.setenv("SESSION_STORE_URL", url)
    with pytest.raises(ImproperlyConfigured) as caught:
        env_redis_url("SESSION_STORE_URL")
    assert "pw" not in str(caught.value)
