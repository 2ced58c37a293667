"""The web console (`/console`) driven by a real headless Chromium (Debian's `chromium`, through Playwright for
Python launched with `executable_path`; no browser is downloaded). Covered: a wrong key cannot sign in; the admin
signs in; a task created through the Tencent VOD SDK appears in the task list without a reload; its detail shows
WAITING, then FINISH without a reload, and its output image loads; a hostile prompt and SessionContext render as
text; a dead delivery is replayed from the dead letters; an app key's session sees its own app only. Screenshots of
the overview and of a task detail are saved under Tests/e2e/artifacts/ (git-ignored) and copied to
docs/console-overview.png and docs/console-task.png.

Skips when chromium or playwright is missing, except under `CI`, where that is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import time
import types
from pathlib import Path

import pytest
import requests
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import vod_client

from test_vod_sdk import create_task

APP_ID = 1300400001
OTHER_APP_ID = 1300400002
ADMIN_KEY = "sk-easel-admin-" + "c0" * 24
XSS_PROMPT = "<img src=x onerror=alert(1)>"
XSS_CONTEXT = "</dd><script>alert(2)</script>"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Long enough that a second task of the app (concurrency 1) is seen waiting; bounded waits allow for it.
SANDBOX_LATENCY_MS = 2500
LIVE_TIMEOUT_MS = 30_000


def _chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install playwright==1.65.2)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    if binary is None:
        reason = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="module")
def console(tmp_path_factory, webhook_receiver_module):
    """A server with two apps (concurrency 1, slow sandbox), a receiver that refuses /down, and a browser."""
    from conftest import start_easel_server
    from playwright.sync_api import sync_playwright

    binary = _chromium()
    receiver = webhook_receiver_module
    receiver.respond("/down", 500)
    config = {
        "apps": [{"app_id": APP_ID, "sub_app_id": APP_ID, "concurrency": 1},
                 {"app_id": OTHER_APP_ID, "sub_app_id": OTHER_APP_ID, "concurrency": 1}],
        "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1, 1]},
        "scheduling": {"create_rate_limit": 0},
        "sandbox": {"latency_ms": SANDBOX_LATENCY_MS},
    }
    server = start_easel_server(tmp_path_factory.mktemp("console"), {"EASEL_ADMIN_KEY": ADMIN_KEY}, config=config)
    keys = server.create_keys(APP_ID, APP_ID)
    other = server.create_keys(OTHER_APP_ID, OTHER_APP_ID)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield types.SimpleNamespace(server=server, keys=keys, other=other, receiver=receiver, browser=browser)
        finally:
            browser.close()
            server.stop()


@pytest.fixture(scope="module")
def webhook_receiver_module():
    from conftest import WebhookReceiver

    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def page(console):
    context = console.browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page, server, key: str) -> None:
    page.goto(f"{server.base_url}/console")
    assert page.url.endswith("/console/login"), f"an anonymous visit was not sent to the sign-in form: {page.url}"
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console$"), timeout=10_000)


def vod_create(console, keys, **fields) -> str:
    """A task created through the Tencent SDK; square by default, so its output's size is known."""
    http = HttpProfile(endpoint=console.server.endpoint, protocol="http", reqTimeout=30)
    client = vod_client.VodClient(keys.credential(), "", ClientProfile(httpProfile=http))
    fields.setdefault("Prompt", "a lantern in the fog")
    fields.setdefault("OutputConfig", {"StorageMode": "Temporary", "AspectRatio": "1:1"})
    return create_task(client, keys.sub_app_id, **fields)


def save_screenshot(page, name: str, *, for_readme: bool = False) -> None:
    """Saves a full-page screenshot under artifacts/; `for_readme` also copies it to docs/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    if for_readme:
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        shutil.copyfile(path, docs / name)


def test_a_wrong_key_cannot_sign_in(console, page):
    server = console.server
    for key in ["sk-easel-admin-" + "00" * 24, "not a key", console.keys.secret_key]:
        page.goto(f"{server.base_url}/console/login")
        page.fill("#key", key)
        page.click("button[type=submit]")
        page.wait_for_selector("#login-error", timeout=10_000)
        assert page.url.endswith("/console/login"), page.url
        assert not [c for c in page.context.cookies() if c["name"] == "easel_console"], "a wrong key got a session"
    page.goto(f"{server.base_url}/console/tasks")
    assert page.url.endswith("/console/login"), "the task list was shown without a session"


def test_task_appears_live_and_its_detail_goes_from_waiting_to_finish(console, page):
    server = console.server
    sign_in(page, server, ADMIN_KEY)
    cookie = next(c for c in page.context.cookies() if c["name"] == "easel_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
    page.goto(f"{server.base_url}/console/tasks")
    page.wait_for_selector("#task-rows")
    # The first task holds the app's only slot, so the second one waits.
    first = vod_create(console, console.keys, Prompt="the first lantern")
    second = vod_create(console, console.keys, Prompt="the second lantern", SessionContext="ctx-console")
    page.wait_for_selector(f"#task-rows a[href='/console/tasks/{second}']", timeout=LIVE_TIMEOUT_MS)
    assert page.locator(f"#task-rows a[href='/console/tasks/{first}']").count() == 1

    page.click(f"#task-rows a[href='/console/tasks/{second}']")
    page.wait_for_url(re.compile(f"/console/tasks/{second}$"))
    assert page.text_content("#task-state") == "WAITING", page.text_content("#task-live")
    assert page.locator("#queue-position").count() == 1
    save_screenshot(page, "console-task-waiting.png")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    # Waits go through selectors: the page's policy forbids the string evaluation wait_for_function would need.
    expect(page.locator("#task-state")).to_have_text("FINISH", timeout=LIVE_TIMEOUT_MS)
    assert navigations == [], f"the page reloaded: {navigations}"
    assert page.text_content("#task-status") == "succeeded"
    image = page.locator("img.output")
    expect(image).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while not image.evaluate("img => img.complete") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert image.evaluate("img => img.naturalWidth") > 0, "the output image did not load"
    assert "image/" in page.text_content(".outputs figcaption")
    assert page.text_content("#session-context") == "ctx-console"
    save_screenshot(page, "console-task.png", for_readme=True)

    page.goto(f"{server.base_url}/console")
    page.wait_for_selector("#fig-day")
    expect(page.locator("#fig-day")).to_have_text(re.compile(r"^([2-9]|\d\d+)"), timeout=LIVE_TIMEOUT_MS)
    save_screenshot(page, "console-overview.png", for_readme=True)


def test_a_hostile_prompt_and_session_context_render_as_text(console, page):
    server = console.server
    task_id = vod_create(console, console.keys, Prompt=XSS_PROMPT, SessionContext=XSS_CONTEXT)
    sign_in(page, server, ADMIN_KEY)
    page.goto(f"{server.base_url}/console/tasks/{task_id}")
    assert page.text_content("#prompt") == XSS_PROMPT
    assert page.text_content("#session-context") == XSS_CONTEXT
    assert page.locator("img[src=x]").count() == 0, "the prompt was parsed as HTML"
    assert page.locator("main script").count() == 0, "the SessionContext was parsed as HTML"
    page.goto(f"{server.base_url}/console/tasks?task_id_prefix={task_id}")
    page.wait_for_selector(f"#task-rows a[href='/console/tasks/{task_id}']")
    page.wait_for_timeout(500)
    assert page.dialogs == [], f"a script ran: {page.dialogs}"
    raw = requests.get(f"{server.base_url}/console/tasks/{task_id}",
                       cookies={c["name"]: c["value"] for c in page.context.cookies()}, timeout=10)
    assert XSS_PROMPT not in raw.text and "&lt;img src=x onerror=alert(1)&gt;" in raw.text
    assert "script-src 'self'" in raw.headers["Content-Security-Policy"]
    assert raw.headers["X-Content-Type-Options"] == "nosniff"


def test_a_dead_delivery_is_replayed(console, page):
    server, receiver = console.server, console.receiver
    body = {"model_name": "GEM", "model_version": "2.5", "prompt": "a paper boat on a pond",
            "callback_url": receiver.url("/down"),
            "output_config": {"storage_mode": "Temporary", "aspect_ratio": "1:1"}}
    resp = requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", json=body, headers=console.other.bearer,
                         timeout=30)
    assert resp.status_code == 200, resp.text
    task_id = resp.json()["Response"]["TaskId"]
    sign_in(page, server, ADMIN_KEY)
    row = f"#deliveries tr:has(a[href='/console/tasks/{task_id}'])"
    for _ in range(60):
        page.goto(f"{server.base_url}/console/deliveries?status=dead")
        if page.locator(row).count():
            break
        page.wait_for_timeout(1000)
    assert page.locator(row).count() == 1, "the delivery never went dead"
    attempts_before = len(receiver.received("/down"))
    receiver.respond("/down", 200)
    page.click(f"{row} button.replay")
    page.wait_for_url(re.compile(r"/console/deliveries$"))
    receiver.wait_for(lambda got: len(got) > attempts_before, path="/down", timeout=30, what="the replayed delivery")
    for _ in range(30):
        page.goto(f"{server.base_url}/console/deliveries")
        if page.text_content(f"{row} .delivery-status") == "delivered":
            break
        page.wait_for_timeout(500)
    assert page.text_content(f"{row} .delivery-status") == "delivered"


def test_an_app_key_session_sees_only_its_app(console, page):
    server = console.server
    mine = vod_create(console, console.other, Prompt="only mine")
    theirs = vod_create(console, console.keys, Prompt="not yours")
    sign_in(page, server, console.other.api_key)
    page.goto(f"{server.base_url}/console/tasks")
    page.wait_for_selector(f"#task-rows a[href='/console/tasks/{mine}']")
    assert page.locator(f"#task-rows a[href='/console/tasks/{theirs}']").count() == 0
    response = page.goto(f"{server.base_url}/console/tasks/{theirs}")
    assert response.status == 404


def test_a_waiting_task_is_aborted_from_its_detail(console, page):
    server = console.server
    # Two tasks ahead hold the app's only slot for about two sandbox latencies.
    for prompt in ["ahead one", "ahead two"]:
        vod_create(console, console.keys, Prompt=prompt)
    waiting = vod_create(console, console.keys, Prompt="to be aborted")
    sign_in(page, server, ADMIN_KEY)
    page.goto(f"{server.base_url}/console/tasks/{waiting}")
    expect(page.locator("#task-state")).to_have_text("WAITING")
    page.click("#abort")
    page.wait_for_url(re.compile(f"/console/tasks/{waiting}$"))
    expect(page.locator("#task-state")).to_have_text("ABORTED", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#abort").count() == 0


def test_every_screen_renders_and_fits_a_phone(console):
    context = console.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, console.server, ADMIN_KEY)
        for path in ["/console", "/console/tasks", "/console/deliveries", "/console/usage", "/console/apps"]:
            response = page.goto(f"{console.server.base_url}{path}")
            assert response.status == 200, f"{path}: {response.status}"
            assert page.locator("#error-message").count() == 0, f"{path}: {page.text_content('main')}"
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"
    finally:
        context.close()
