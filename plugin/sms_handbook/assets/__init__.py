"""The stylesheet and script every handbook site loads."""

#: The plugin's stylesheet and script (site path: file in the package's assets/).
ASSETS = {
    "assets/sms-handbook/sms-handbook.css": "sms-handbook.css",
    "assets/sms-handbook/sms-handbook.js": "sms-handbook.js",
}
