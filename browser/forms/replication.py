"""Forms of the replication pages: starting one, paging the lists, confirming a deletion."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from browser.couch.databases import database_name_problem
from browser.couch.documents import id_problem
from browser.couch.replication import (
    endpoint,
    job_id_of,
    local_database_url,
    replication_body,
    scrub_url,
    split_userinfo,
)
from browser.forms.fields import QueryJsonField, RuleCheckedField

DOC_IDS_MOST = 10_000


def replicator_id_problem(docid):
    """Why this cannot name a _replicator document; None when it can."""
    if docid.startswith(("_design/", "_local/")):
        return "A replication's name may not start with “_design/” or “_local/”."
    return id_problem(docid)


def location_problem(text):
    """A database name of this server, or an http(s) URL of a remote database."""
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        if not parts.hostname:
            return "A remote database is an http:// or https:// URL with a host, e.g. https://host/db."
        if not parts.path.strip("/"):
            return "Add the database to the URL, e.g. https://host/db."
        return None
    if "://" in text:
        return "A remote database is an http:// or https:// URL."
    return database_name_problem(text)


def reaches_couchdb(url):
    """Whether CouchDB, replicating with this URL, would be talking to itself: the port of COUCHDB_URL or
    COUCHDB_REPLICATION_URL, and a host that is or resolves to one of its addresses. Loopback names and
    addresses (and, when CouchDB's own address is loopback, this machine's addresses) all count as the same
    host: CouchDB resolves a URL on its own machine, where loopback is itself."""
    target = urlsplit(url)
    if not target.hostname:
        return False
    theirs = _addresses(target.hostname)
    for base in {settings.COUCHDB_URL, settings.COUCHDB_REPLICATION_URL}:
        ours = urlsplit(base)
        if _port(target) != _port(ours):
            continue
        our_addresses = _addresses(ours.hostname or "")
        if theirs & our_addresses or any(_is_loopback(address) for address in theirs):
            return True
        if our_addresses and all(_is_loopback(a) for a in our_addresses) and any(map(_is_this_machine, theirs)):
            return True
    return False


def _port(parts):
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def _addresses(host):
    """Every address a host name is or resolves to (IPv4-mapped IPv6 taken as IPv4); empty when it resolves
    to none."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):  # loopback by definition (RFC 6761), resolved or not
        return {ipaddress.ip_address("127.0.0.1")}
    try:
        found = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            found = {ipaddress.ip_address(info[4][0].split("%")[0])
                     for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
        except (OSError, UnicodeError, ValueError):
            return set()
    return {getattr(a, "ipv4_mapped", None) or a for a in found}


def _is_loopback(address):
    # 0.0.0.0 and :: reach this machine too when connected to.
    return address.is_loopback or address.is_unspecified


def _is_this_machine(address):
    """Only an address of this machine's own can be bound to."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def secret(label):
    # render_value=False: a password typed once is never sent back to the browser, not even after an error.
    return forms.CharField(required=False, strip=False, max_length=1024, label=label,
                           widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))


class ReplicationStartForm(forms.Form):
    source = RuleCheckedField(problem=location_problem, strip=True, max_length=2000, label="Source",
                              help_text="A database of this server (its name), or a URL: https://host/db.")
    target = RuleCheckedField(problem=location_problem, strip=True, max_length=2000, label="Target",
                              help_text="A database of this server (its name), or a URL: https://host/db.")
    local_password = secret("Your password (for this server's databases)")
    source_username = forms.CharField(required=False, max_length=512, strip=False,
                                      label="Remote source: user name",
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    source_password = secret("Remote source: password")
    target_username = forms.CharField(required=False, max_length=512, strip=False,
                                      label="Remote target: user name",
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    target_password = secret("Remote target: password")
    create_target = forms.BooleanField(required=False, label="Create the target if it does not exist")
    continuous = forms.BooleanField(required=False, label="Continuous (keep copying new changes)")
    mode = forms.ChoiceField(
        choices=[("named", "Save it as a _replicator document (it survives a restart of CouchDB)"),
                 ("transient", "Run it without saving (POST /_replicate)")],
        initial="named", widget=forms.RadioSelect, label="How to run it")
    name = RuleCheckedField(problem=replicator_id_problem, required=False, max_length=1000,
                           label="Name (the _replicator document id)", help_text="Left empty: a generated name.")
    selector = QueryJsonField(expect=dict, required=False, label="Only documents matching a Mango selector",
                              widget=forms.Textarea(attrs={"rows": 3, "class": "json-text"}),
                              help_text='For example {"type": "order"}.')
    doc_ids = forms.CharField(required=False, strip=False, max_length=1_000_000,
                              label="Only these document ids (one per line)",
                              widget=forms.Textarea(attrs={"rows": 3}))
    since_seq = forms.CharField(required=False, max_length=2000, label="Start from this update sequence (since_seq)")

    def __init__(self, *args, person=None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def full_clean(self):
        super().full_clean()
        # An invalid form is shown again: never with a URL's user name and password in it.
        if self.is_bound:
            self.data = self.data.copy()
            for side in ("source", "target"):
                if isinstance(self.data.get(side), str):
                    self.data[side] = scrub_url(self.data[side])

    def clean_doc_ids(self):
        ids = [line for line in self.cleaned_data["doc_ids"].replace("\r\n", "\n").split("\n") if line.strip()]
        if len(ids) > DOC_IDS_MOST:
            raise forms.ValidationError(f"At most {DOC_IDS_MOST:,} ids.")
        return ids

    def clean(self):
        data = super().clean()
        if data.get("selector") is not None and data.get("doc_ids"):
            raise forms.ValidationError("Give a selector or a list of ids, not both.")
        for side in ("source", "target"):
            self._move_userinfo(side, data)
        if self._is_local("source") or self._is_local("target"):
            if not data.get("local_password"):
                self.add_error("local_password", "CouchDB replicates its own databases through a URL, with your "
                                                 "credentials: enter your password.")
        if data.get("source") and data.get("source") == data.get("target"):
            raise forms.ValidationError("The source and the target are the same.")
        return data

    def _move_userinfo(self, side, data):
        # A URL typed as https://user:password@host/db: its credentials move into the auth object.
        url = data.get(side)
        if not url or not url.startswith(("http://", "https://")):
            return
        plain, user, password = split_userinfo(url)
        if user or password:
            if data.get(f"{side}_username") or data.get(f"{side}_password"):
                self.add_error(side, "Give the credentials once: in the URL or in the fields below, not both.")
            data[side] = plain
            data[f"{side}_username"], data[f"{side}_password"] = user, password

    def _is_local(self, side):
        value = self.cleaned_data.get(side) or ""
        return bool(value) and not value.startswith(("http://", "https://"))

    def location(self, side):
        """Where CouchDB finds this side, with its credentials in the auth object."""
        data = self.cleaned_data
        if self._is_local(side):
            return endpoint(local_database_url(data[side]), self.person or "", data["local_password"])
        return endpoint(data[side], data[f"{side}_username"], data[f"{side}_password"])

    def credentials_for_this_server(self):
        """(field, user name, password) of each distinct credential this form would forward to this same
        CouchDB, by a database name or by any URL that reaches it."""
        data, found = self.cleaned_data, []
        for side in ("source", "target"):
            if self._is_local(side):
                field, name, password = "local_password", self.person, data["local_password"]
            else:
                field, name, password = f"{side}_password", data[f"{side}_username"], data[f"{side}_password"]
            if name is None or not (name or password) or (name, password) in [c[1:] for c in found]:
                continue
            if self._is_local(side) or reaches_couchdb(data[side]):  # resolved only when credentials go with it
                found.append((field, name, password))
        return found

    def body(self):
        data = self.cleaned_data
        return replication_body(self.location("source"), self.location("target"),
                                continuous=data["continuous"], create_target=data["create_target"],
                                selector=data["selector"], doc_ids=data["doc_ids"], since_seq=data["since_seq"])

    def shown(self):
        """What the audit log keeps: where from and to and how, never a credential."""
        data = self.cleaned_data
        return {"source": data["source"], "target": data["target"], "continuous": data["continuous"],
                "create_target": data["create_target"], "mode": data["mode"],
                "filtered": data["selector"] is not None or bool(data["doc_ids"])}


class ListPageForm(forms.Form):
    skip = forms.IntegerField(required=False, min_value=0, max_value=10_000_000)
    jobs_skip = forms.IntegerField(required=False, min_value=0, max_value=10_000_000)
    bookmark = forms.CharField(required=False, max_length=4000)

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None


class ConfirmDeleteForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, stop this replication and delete its document")


class JobIdForm(forms.Form):
    job_id = forms.CharField(max_length=200, strip=False)

    def clean_job_id(self):
        if job_id_of(self.cleaned_data["job_id"]) is None:
            raise forms.ValidationError("That is not a replication id.")
        return self.cleaned_data["job_id"]
