// Marks the page as having JavaScript (and GOV.UK Frontend's support for it) before it is drawn, so
// components styled for JavaScript do not flash. Loaded synchronously at the top of <body>: a file,
// not an inline script, so the Content-Security-Policy can refuse every inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
