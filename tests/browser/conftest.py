"""Browser tests: JupyterLab in headless Chromium; skipped with a reason where Chromium is missing (failed under CI=true)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in a real browser (Chromium via Playwright)")
