"""Make the screenshots in docs/screenshots/ (shown in the README): the main
pages of a voter on a 360 px phone and of a secretary on a 1366 px desktop,
from `surveyapp demo`'s round with some ballots cast, in Debian's Chromium.

    .venv/bin/python docs/screenshots.py

Everything runs on a temporary database; the PNGs are reduced to 256
colours so the repository stays small.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

PHONE, DESKTOP = (360, 640), (1366, 768)


def save(page, name: str, *, full_page: bool = False) -> None:
    from PIL import Image

    png = page.screenshot(full_page=full_page, caret="initial")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if full_page and image.height > 2000:
        image = image.crop((0, 0, image.width, 2000))
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(OUT / f"{name}.png", optimize=True)
    print(f"docs/screenshots/{name}.png  {(OUT / f'{name}.png').stat().st_size // 1024} KB")


def main() -> None:
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import WSGIRequestHandler, make_server

    folder = Path(tempfile.mkdtemp(prefix="surveyapp-shots-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(folder)
    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.services import codes as codes_service
    from surveyapp.services import counting, demo, rounds
    from surveyapp.services.voting import cast, structure_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.sqlite'}",
                      "SECRET_KEY": "screenshots", "BASE_URL": "https://pingyi.example.cn",
                      "BALLOT_KITS": 0, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        made = demo.make_demo(folder)
        round_ = made.round
        structure = structure_of(round_)
        # Every expected voter gets a code; most vote, each with their own.
        held = {g: made.codes[g] + codes_service.issue(round_, g, n, actor="demo")[0]
                for g, n in (("members", 5), ("masses", 15))}
        grades = ["excellent", "qualified", "qualified", "basic", "qualified", "qualified",
                  "excellent", "qualified", "unknown", "qualified"]
        for group, voters in (("members", 8), ("masses", 14)):
            g = next(x for x in structure.groups if x.key == group)
            for n in range(voters):
                cast(structure, g, {(s.key, "overall"): grades[(i + n) % len(grades)]
                                    for i, s in enumerate(structure.subjects)},
                     code=held[group].pop())
        db.session.commit()
        codes = held["members"]
        password, slug = made.password, round_.slug
    class Quiet(WSGIRequestHandler):  # no access log, as surveyapp serve has none
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=["--no-sandbox", "--disable-gpu"])

        def page(viewport, **options):
            phone = viewport[0] < 600
            context = chromium.new_context(base_url=base, locale="zh-CN", is_mobile=phone,
                                           has_touch=phone, viewport={
                                               "width": viewport[0], "height": viewport[1]},
                                           **options)
            return context.new_page()

        def log_in(console) -> None:
            """The demo secretary, logged in on that page's own browser context."""
            console.goto("/admin/login")
            console.fill("#username", "demo")
            console.fill("#password", password)
            console.get_by_role("button", name="登录").click()
            console.locator(".round-card").first.wait_for()

        voter = page(PHONE)
        voter.goto("/")
        save(voter, "phone-enter-code")
        voter.goto(f"/c/{codes[0]}")
        for i, label in enumerate(["优秀", "合格", "合格"]):
            voter.locator(f"#subject-{i}").get_by_role("radio", name=label,
                                                       exact=True).click()
        save(voter, "phone-ballot")
        for i in range(3, 10):
            voter.locator(f"#subject-{i}").get_by_role("radio", name="合格",
                                                       exact=True).click()
        voter.get_by_role("button", name="提交选票").click()
        voter.locator(".receipt").wait_for()
        save(voter, "phone-done")

        admin = page(DESKTOP)
        log_in(admin)
        save(admin, "desktop-rounds")
        admin.goto(f"/admin/rounds/{slug}")
        save(admin, "desktop-round", full_page=True)
        admin.goto(f"/admin/rounds/{slug}/paper?group=masses")
        save(admin, "desktop-paper")
        screen = page((1280, 720))
        log_in(screen)
        screen.goto(f"/admin/rounds/{slug}/turnout/screen")
        save(screen, "desktop-turnout-screen")

        with app.app_context():
            round_ = rounds.get_round(slug)
            rounds.transition(round_, "close", actor="demo")
            share = (folder / demo.SHARE_FILE).read_text(encoding="utf-8")
            counting.count_round(round_, counting.check_shares(round_, [("share", share)]),
                                 actor="demo")
        admin.goto(f"/admin/rounds/{slug}/results")
        save(admin, "desktop-results", full_page=True)
        phone_admin = page((390, 844))
        log_in(phone_admin)
        phone_admin.goto(f"/admin/rounds/{slug}/results")
        phone_admin.locator("#summary-h").scroll_into_view_if_needed()
        save(phone_admin, "phone-results")
        admin.locator("section:has(#publish-h) button[type=submit]").click()
        admin.get_by_role("button", name="确认公示").click()
        admin.locator(".flash").wait_for()
        voter.goto(f"/p/{slug}")
        save(voter, "phone-public")
        chromium.close()
    server.shutdown()


if __name__ == "__main__":
    main()
