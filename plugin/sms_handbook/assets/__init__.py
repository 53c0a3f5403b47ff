"""The stylesheet and script every handbook site loads."""

#: The plugin's stylesheet and script (site path: file in the package's assets/).
ASSETS = {
    "assets/sms-handbook/sms-handbook.css": "sms-handbook.css",
    "assets/sms-handbook/sms-handbook.js": "sms-handbook.js",
}


def add_to_site(extra_css: list, extra_javascript: list) -> None:
    """List the stylesheet and the script in a site's extra_css and extra_javascript."""
    for uri in ASSETS:
        listed = extra_css if uri.endswith(".css") else extra_javascript
        if uri not in listed:
            listed.append(uri)
