// Keep what was typed when the session ran out: before a form is sent (POST, not htmx)
// its fields are saved in this tab's sessionStorage under the page's path. When the
// server answers with the login page instead (the session expired), the login page
// marks that path; after logging in again the user is sent back there and the fields
// are filled in again. Any other page load drops what was saved (the form was sent).
// Passwords, files and hidden fields (the CSRF token) are never saved.
(function () {
  "use strict";
  var SAVED = "jisheng:form:";
  var RETURN = "jisheng:relogin";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;

  function skip(el) {
    var type = (el.type || "").toLowerCase();
    return !el.name || el.disabled || type === "password" || type === "file" ||
      type === "hidden" || type === "submit" || type === "button" || type === "reset";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || (form.method || "").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-no-keep") || form.querySelector("input[type=password]")) return;
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skip(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        fields.push([el.name, el.value, el.checked]);
      } else if (el.tagName === "SELECT" && el.multiple) {
        fields.push([el.name, Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }), null]);
      } else {
        fields.push([el.name, el.value, null]);
      }
    });
    try {
      store.setItem(SAVED + window.location.pathname, JSON.stringify({
        action: form.getAttribute("action") || "", fields: fields
      }));
    } catch (e) { /* full or refused: nothing kept */ }
  }, true);

  var login = document.querySelector("[data-login-next]");
  if (login) {
    // The login page: remember where to fill in again (only when it says the session ran out).
    if (login.hasAttribute("data-session-expired")) {
      store.setItem(RETURN, login.getAttribute("data-login-next"));
    }
    return;
  }

  var path = window.location.pathname;
  var back = store.getItem(RETURN);
  var saved = store.getItem(SAVED + path);
  store.removeItem(RETURN);
  Object.keys(store).forEach(function (key) {
    if (key.indexOf(SAVED) === 0) store.removeItem(key);
  });
  if (!saved || back === null || back.split("?")[0] !== path) return;

  var data;
  try { data = JSON.parse(saved); } catch (e) { return; }
  var forms = Array.prototype.filter.call(document.forms, function (f) {
    return (f.method || "").toLowerCase() === "post" && (f.getAttribute("action") || "") === data.action;
  });
  if (!forms.length) return;
  var form = forms[0];
  var restored = 0;
  data.fields.forEach(function (field) {
    var name = field[0], value = field[1], checked = field[2];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || skip(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.value === value) { el.checked = checked; restored++; }
      } else if (el.tagName === "SELECT" && el.multiple && Array.isArray(value)) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
        restored++;
      } else if (!Array.isArray(value) && value !== "") {
        el.value = value;
        el.dispatchEvent(new Event("change", { bubbles: true }));
        restored++;
      }
    });
  });
  if (restored) {
    var note = document.querySelector("[data-form-restored]");
    if (note) note.hidden = false;
    form.setAttribute("data-restored", "");
  }
})();
