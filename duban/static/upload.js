// Shows an upload's progress instead of a frozen page: the bytes sent, then the import job's own page
// (/plans/imports/<id>/), which shows the steps of reading the plan and refreshes itself.
// Progressive enhancement: without JavaScript the form posts as usual and lands on the same page.
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
      // Kept on the redirect: the job page then answers with itself, and the browser opens it below.
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        bar.max = e.total; bar.value = e.loaded;
        label.textContent = "正在上传：" + Math.round(100 * e.loaded / e.total) + "%";
      };
      xhr.upload.onload = function () { bar.removeAttribute("value"); label.textContent = "上传完成，正在打开导入进度……"; };
      xhr.onload = function () {
        if (xhr.responseURL && xhr.responseURL !== (form.action || window.location.href)) {
          window.location.assign(xhr.responseURL);  // the upload redirected to its import job: open it
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
