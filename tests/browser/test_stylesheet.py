"""In Chromium: the page's own <style> applies under the Content-Security-Policy, and a style attribute a
document's data might smuggle in does not; the pages reached from it link the file it had fetched."""


def test_the_inline_stylesheet_applies_and_nothing_else_inline_does(browser_page):
    browser_page.open("/login/")
    page = browser_page.page
    header_display = page.evaluate("getComputedStyle(document.querySelector('.site-header')).display")
    assert header_display == "flex"
    assert not [m for m in browser_page.console if "Content Security Policy" in m[1]]
    violations = page.evaluate("""() => new Promise(resolve => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective));
        const style = document.createElement('style');
        style.textContent = 'body { display: none }';
        document.head.appendChild(style);
        setTimeout(() => resolve(seen), 200);
    })""")
    assert violations and all(v.startswith("style-src") for v in violations)
    assert page.evaluate("getComputedStyle(document.body).display") == "block"


def test_pages_reached_inside_the_dashboard_link_the_file_the_first_page_fetched(browser_page, personas):
    page = browser_page.page
    css = []
    page.on("request", lambda request: css.append(request.url) if request.url.endswith(".css") else None)
    browser_page.log_in(personas["admin"])  # the login page, opened by address: the stylesheet written in
    page.get_by_role("link", name="Databases").first.click()
    page.wait_for_load_state()
    assert page.locator("head style").count() == 0
    assert page.locator('head link[rel="stylesheet"]').count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    assert css and all(url == css[0] for url in css)  # one file, fetched once or answered from the cache
    assert not [m for m in browser_page.console if "Content Security Policy" in m[1]]
