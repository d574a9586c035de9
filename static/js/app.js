// The only script of the pages (the Content Security Policy allows no inline script): a form marked
// data-autosubmit is sent as soon as one of its fields changes (the language picker). Pages work without it.
document.addEventListener("change", function (event) {
  var form = event.target.form;
  if (form && form.hasAttribute("data-autosubmit")) {
    form.submit();
  }
});
