// techbridge: a little JavaScript where it helps; every page works without it.
// Ask before dropping a cooperation, and submit select-based filters on change.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var stage = form.querySelector("select[name=stage]");
  if (stage && stage.value === "dropped") {
    var reason = form.querySelector("input[name=reason]");
    if (reason && !reason.value.trim()) {
      event.preventDefault();
      reason.focus();
      reason.setCustomValidity("사유를 입력하세요 / a reason is required");
      reason.reportValidity();
    }
  }
});
document.addEventListener("input", function (event) {
  if (event.target.setCustomValidity) { event.target.setCustomValidity(""); }
});
