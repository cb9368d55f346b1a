"""Login on the desk: users from the settings, Argon2 hashes, events under the logged-in name; the bind check."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from serpaudit.cli import app as cli
from serpaudit.settings import SettingsError, load_settings
from serpaudit.web.server import user_entry
from tests.support.findings_world import PREMIUM


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def logged(world):
    from starlette.testclient import TestClient

    from serpaudit.web.app import create_app

    entry = user_entry("anna", "correct horse battery")
    world.config.write_text(world.config.read_text() + f'web_users = ["{entry}"]\n', encoding="utf-8")
    app = create_app(load_settings(world.config), world.config, host="0.0.0.0")
    with TestClient(app, base_url="http://desk.internal") as c:
        yield c


def test_every_page_needs_a_login_when_users_are_set(logged):
    first = logged.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    assert logged.get("/evidence/x.png", follow_redirects=False).status_code == 303
    assert logged.post("/cases/bulk", data={}).status_code == 403


def test_wrong_password_is_refused_and_the_right_one_records_the_user(logged, world):
    token = _csrf(logged.get("/login").text)
    wrong = logged.post("/login", data={"csrf": token, "name": "anna", "password": "nope"})
    assert wrong.status_code == 401 and "wrong name or password" in wrong.text
    nobody = logged.post("/login", data={"csrf": token, "name": "bob", "password": "correct horse battery"})
    assert nobody.status_code == 401
    ok = logged.post("/login", data={"csrf": token, "name": "anna", "password": "correct horse battery"})
    assert ok.status_code == 200 and "anna" in ok.text
    store = world.store()
    cid = next(f["id"] for f in store.query_findings() if f["e164"] == PREMIUM)
    token = _csrf(ok.text)  # a new session on login: a new token
    logged.post(f"/cases/{cid}/confirm", data={"csrf": token, "reason": "called it"})
    assert [(e["new_state"], e["user"]) for e in store.finding_events(cid)] == [("confirmed", "anna")]
    logged.post("/logout", data={"csrf": token})
    assert logged.get("/", follow_redirects=False).status_code == 303


def test_a_plain_password_in_the_settings_is_refused(world):
    world.config.write_text(world.config.read_text() + 'web_users = ["anna:hunter22"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="web_users: anna: expected name:HASH") as exc:
        load_settings(world.config)
    assert "hunter22" not in str(exc.value)


def test_serve_refuses_a_non_loopback_bind_without_users(world):
    result = CliRunner().invoke(cli, ["serve", "--config", str(world.config), "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "needs a login" in result.output and "web_users" in result.output


def test_hash_password_prints_an_entry_the_settings_accept(world):
    result = CliRunner().invoke(cli, ["serve", "--hash-password", "anna"], input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    entry = result.stdout.strip().splitlines()[-1]
    assert entry.startswith("anna:$argon2id$")
    world.config.write_text(world.config.read_text() + f'web_users = ["{entry}"]\n', encoding="utf-8")
    assert load_settings(world.config).web_users == (entry,)


def test_failed_logins_make_the_guesser_wait_and_the_right_password_waits_too(logged):
    now = [1000.0]
    logged.app.state.logins.clock = lambda: now[0]
    token = _csrf(logged.get("/login").text)

    def attempt(name: str, password: str):
        return logged.post("/login", data={"csrf": token, "name": name, "password": password})

    assert [attempt("anna", f"guess {n}").status_code for n in range(3)] == [401, 401, 401]  # typos are free
    paused = attempt("anna", "correct horse battery")  # the fourth try of that name, at once: refused unchecked
    assert paused.status_code == 429 and "too many failed logins: try again in 2 s" in paused.text
    now[0] += 2.5
    assert attempt("anna", "guess 4").status_code == 401
    assert "try again in 4 s" in attempt("anna", "correct horse battery").text  # the pause doubles
    now[0] += 4.5
    assert attempt("anna", "correct horse battery").status_code == 200  # then the right one gets in
    logged.post("/logout", data={"csrf": _csrf(logged.get("/").text)})
    token = _csrf(logged.get("/login").text)
    assert attempt("anna", "wrong again").status_code == 401  # and a login cleared the count


def test_the_desk_beyond_loopback_serves_https_with_a_secure_cookie_when_given_a_certificate(world, tmp_path):
    from starlette.testclient import TestClient

    from serpaudit.app.errors import InputError
    from serpaudit.web.app import create_app
    from serpaudit.web.server import check_tls

    with pytest.raises(InputError, match="--certfile and --keyfile go together"):
        check_tls(tmp_path / "cert.pem", None)
    with pytest.raises(InputError, match=r"--certfile: .*cert.pem is not a file"):
        check_tls(tmp_path / "cert.pem", tmp_path / "key.pem")
    entry = user_entry("anna", "correct horse battery")
    world.config.write_text(world.config.read_text() + f'web_users = ["{entry}"]\n', encoding="utf-8")
    app = create_app(load_settings(world.config), world.config, host="0.0.0.0", https=True)
    with TestClient(app, base_url="https://desk.internal") as c:
        assert "secure" in c.get("/login").headers["set-cookie"].lower()
