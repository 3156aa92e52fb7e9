// Shows an upload's progress instead of a frozen page: the bytes sent, then "解析中".
// Progressive enhancement: without JavaScript the form posts as usual.
(function () {
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var bar = form.querySelector("progress"), label = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !bar) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      bar.hidden = false; label.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        bar.max = e.total; bar.value = e.loaded;
        label.textContent = "正在上传：" + Math.round(100 * e.loaded / e.total) + "%";
      };
      xhr.upload.onload = function () { bar.removeAttribute("value"); label.textContent = "上传完成，正在解析和核对单位……"; };
      xhr.onload = function () {
        if (xhr.responseURL && xhr.responseURL !== (form.action || window.location.href)) {
          window.location.assign(xhr.responseURL);  // the import redirected: follow it
        } else {
          document.open(); document.write(xhr.responseText); document.close();  // errors: show the page as rendered
        }
      };
      xhr.onerror = function () {
        label.textContent = "上传失败，请检查网络后重试。";
        if (button) button.disabled = false;
      };
      xhr.send(new FormData(form));
    });
  });
})();
