"""Browser tests: JupyterLab in headless Chromium. SKIP_BROWSER=1 skips them where no Chromium is installed."""


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in a real browser (Chromium via Playwright)")
