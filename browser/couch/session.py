"""Cookie authentication: POST, GET and DELETE /_session."""

from dataclasses import dataclass, field

from browser.couch.client import CouchClient
from browser.couch.errors import Unauthorized

SERVER_ADMIN_ROLE = "_admin"


@dataclass(frozen=True)
class UserContext:
    name: str | None
    roles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_server_admin(self) -> bool:
        return SERVER_ADMIN_ROLE in self.roles

    @property
    def is_anonymous(self) -> bool:
        return self.name is None


def login(client: CouchClient, name: str, password: str, client_address: str | None = None) -> UserContext:
    """POST /_session — on success the client holds the new AuthSession token.

    CouchDB 3 locks an account after repeated failures per (user, peer address); it takes the peer from
    X-Forwarded-For when the connection comes from a private or loopback address, as the dashboard's
    does. Naming the person's own address keeps their failures from locking the account for others."""
    headers = {"X-Forwarded-For": client_address} if client_address else None
    body = client.request("POST", "_session", json_body={"name": name, "password": password},
                          headers=headers).json()
    if not client.token:
        raise Unauthorized(401, "unauthorized", "CouchDB accepted the login but sent no session cookie.")
    return UserContext(name=body.get("name") or name, roles=tuple(body.get("roles") or ()))


def current_user(client: CouchClient) -> UserContext:
    """GET /_session — who CouchDB thinks is asking."""
    ctx = client.get_json("_session").get("userCtx") or {}
    return UserContext(name=ctx.get("name"), roles=tuple(ctx.get("roles") or ()))


def is_admin_party(client: CouchClient) -> bool:
    """A server with no admins treats everyone, even anonymous, as a server admin."""
    user = current_user(client)
    return user.is_anonymous and user.is_server_admin


def logout(client: CouchClient) -> None:
    """DELETE /_session — CouchDB answers with an expired cookie; it cannot revoke the token itself, which stays
    valid until its [chttpd_auth] timeout (README: Logging out)."""
    client.delete_json("_session")
