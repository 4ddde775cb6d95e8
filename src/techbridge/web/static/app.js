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
// An error page's "back" link goes back in the history (its href, the dashboard, without JavaScript).
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-action=back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("input", function (event) {
  if (event.target.setCustomValidity) { event.target.setCustomValidity(""); }
});

// The pipeline board: drag a cooperation card to another stage column, with a mouse, a pen or a
// finger (pointer events; touch drags by the card's handle, so that a finger elsewhere still
// scrolls). The drop posts to the card's own move route, with the page's CSRF token, exactly what
// the card's button and the cooperation page's form post: the same rules run on the server. The
// board is then redrawn from the answer; a refused move shows the server's message and the card
// goes back. A drop, or a manager's move to a stage other than the next, first asks for a reason.
(function () {
  var drag = null;

  function boardOf(node) {
    return node && node.closest ? node.closest(".board[data-csrf]") : null;
  }

  function columnAt(board, x, y) {
    var hit = document.elementFromPoint(x, y);
    var column = hit && hit.closest ? hit.closest(".column[data-stage]") : null;
    return column && boardOf(column) === board ? column : null;
  }

  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".board .coop-card[data-key]")) {
      event.preventDefault();  // no native link or text drag: pointer events do the moving
    }
  });

  document.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || drag || !window.fetch) { return; }
    var card = event.target.closest ? event.target.closest(".coop-card[data-key]") : null;
    var board = boardOf(card);
    if (!board) { return; }
    var onHandle = !!event.target.closest(".drag-handle");
    if (event.pointerType !== "mouse" && !onHandle) { return; }
    if (!onHandle && event.target.closest("button, input, select, textarea, form")) { return; }
    if (onHandle) { event.preventDefault(); }
    drag = { card: card, board: board, pointer: event.pointerId, x: event.clientX, y: event.clientY,
             started: false, home: card.parentNode, next: card.nextSibling, over: null, ghost: null };
  });

  function begin(state) {
    var rect = state.card.getBoundingClientRect();
    var ghost = state.card.cloneNode(true);
    ghost.removeAttribute("data-testid");
    ghost.classList.add("drag-ghost");
    ghost.style.width = rect.width + "px";
    ghost.style.left = rect.left + "px";
    ghost.style.top = rect.top + "px";
    document.body.appendChild(ghost);
    state.ghost = ghost;
    state.started = true;
    state.card.classList.add("dragging");
    state.board.classList.add("is-dragging");
    show(state.board, ".board-error", "");
    show(state.board, ".board-status", "");
  }

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    if (!drag.started) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 6) { return; }
      begin(drag);
    }
    event.preventDefault();
    drag.ghost.style.transform = "translate(" + (event.clientX - drag.x) + "px," + (event.clientY - drag.y) + "px)";
    if (event.clientY < 40) { window.scrollBy(0, -20); }
    if (event.clientY > window.innerHeight - 40) { window.scrollBy(0, 20); }
    var column = columnAt(drag.board, event.clientX, event.clientY);
    if (column !== drag.over) {
      if (drag.over) { drag.over.classList.remove("drop-target"); }
      if (column) { column.classList.add("drop-target"); }
      drag.over = column;
    }
  });

  function end(state) {
    state.ghost.remove();
    state.card.classList.remove("dragging");
    state.board.classList.remove("is-dragging");
    if (state.over) { state.over.classList.remove("drop-target"); }
  }

  document.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.pointer) { return; }
    var state = drag;
    drag = null;
    if (!state.started) { return; }
    end(state);
    swallowClick();
    var column = columnAt(state.board, event.clientX, event.clientY);
    if (column && column.dataset.stage !== state.card.dataset.stage) { drop(state, column); }
  });

  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointer) {
      if (drag.started) { end(drag); }
      drag = null;
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drag) {
      if (drag.started) { end(drag); }
      drag = null;
    }
  });

  function swallowClick() {  // the click that ends a drag must not follow the card's link
    function stop(event) { event.preventDefault(); event.stopPropagation(); }
    window.addEventListener("click", stop, true);
    setTimeout(function () { window.removeEventListener("click", stop, true); }, 0);
  }

  function show(board, selector, text) {
    var box = board.parentNode.querySelector(selector);
    if (box) { box.textContent = text; box.hidden = !text; }
  }

  function putBack(state) {
    state.card.classList.remove("pending");
    state.home.insertBefore(state.card, state.next && state.next.parentNode === state.home ? state.next : null);
  }

  function drop(state, column) {
    var card = state.card;
    var stage = column.dataset.stage;
    var why = stage === "dropped" ? "drop"
      : stage !== card.dataset.nextStage && card.hasAttribute("data-can-override") ? "override" : null;
    column.appendChild(card);
    card.classList.add("pending");
    var send = function (reason) {
      if (reason === null) { putBack(state); return; }
      var body = new URLSearchParams({ csrf_token: state.board.dataset.csrf, stage: stage, reason: reason,
                                       back: window.location.pathname });
      if (why === "override") { body.append("override", "true"); }
      fetch("/cooperations/" + encodeURIComponent(card.dataset.key) + "/move",
            { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (html) { return { ok: response.ok, html: html }; });
        })
        .then(function (answer) {
          var page = new DOMParser().parseFromString(answer.html, "text/html");
          var fresh = page.querySelector(".board[data-csrf]");
          if (answer.ok && fresh) {
            state.board.innerHTML = fresh.innerHTML;
            var title = card.querySelector(".coop-title");
            show(state.board, ".board-status", state.board.dataset.moved + " " +
                 (title ? title.textContent : card.dataset.key) + " → " + column.dataset.label);
            return;
          }
          putBack(state);
          var problems = Array.prototype.map.call(page.querySelectorAll(".error-card li"), function (li) {
            return li.textContent;
          });
          var alert = page.querySelector(".error-card .alert");
          show(state.board, ".board-error", [alert ? alert.textContent : "HTTP error"].concat(problems).join(" · "));
        })
        .catch(function (error) {
          putBack(state);
          show(state.board, ".board-error", String(error));
        });
    };
    if (why) { askReason(card, column, why, send); } else { send(""); }
  }

  function askReason(card, column, why, send) {
    var dialog = document.querySelector("dialog.move-dialog");
    var text = dialog ? dialog.querySelector("[data-role=why]").dataset[why] : "";
    if (!dialog || !dialog.showModal) {
      var given = window.prompt(text);
      send(given === null || !given.trim() ? null : given.trim());
      return;
    }
    var title = card.querySelector(".coop-title");
    dialog.querySelector("[data-role=title]").textContent =
      (title ? title.textContent : card.dataset.key) + " → " + column.dataset.label;
    dialog.querySelector("[data-role=why]").textContent = text;
    var input = dialog.querySelector("input[name=reason]");
    input.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function closed() {
      dialog.removeEventListener("close", closed);
      send(dialog.returnValue === "move" && input.value.trim() ? input.value.trim() : null);
    });
    dialog.showModal();
    input.focus();
  }
})();
