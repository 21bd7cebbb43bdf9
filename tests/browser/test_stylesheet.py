"""In Chromium: the page's own <style> applies under the Content-Security-Policy, and a style attribute a
document's data might smuggle in does not."""


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
