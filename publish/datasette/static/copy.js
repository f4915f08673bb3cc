/* Copy buttons of the copyable-table and notebook pages (templates/copyable.html,
   templates/export_notebook.html): a button with data-copy="ID" copies the text of element ID.
   A static file because the CSP refuses inline scripts. */
document.addEventListener("DOMContentLoaded", function () {
  function copied(button) {
    var label = button.textContent;
    button.textContent = "已复制";
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-offscreen";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var text = source.value !== undefined ? source.value : source.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); },
          function () { copyBySelection(text); copied(button); });
      } else {
        copyBySelection(text);
        copied(button);
      }
    });
  });
});
