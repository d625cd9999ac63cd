// Optional drawn signature on the signing page. Each [data-signature-pad] container holds
// a <canvas>, a hidden input named "drawn_signature" and a clear button. The container is
// hidden in the HTML, so without JavaScript (or without the SignaturePad library) nothing
// is shown and the form signs the same way, with no drawing.
//
// The hidden input always holds what the pad shows, and nothing else: a drawing sent back
// after a failed submit is drawn on the pad again, and Clear empties both, so the server
// never seals a drawing the signer cannot see.
(function () {
  "use strict";

  if (typeof window.SignaturePad !== "function") return;

  var PREFIX = "data:image/png;base64,";

  function setUp(container) {
    var canvas = container.querySelector("canvas");
    var input = container.querySelector("input[type='hidden'][name='drawn_signature']");
    var clear = container.querySelector("button[type='button'][data-signature-clear]");
    if (!canvas || !input) return;

    container.hidden = false;

    var pad = new window.SignaturePad(canvas, {
      penColor: "#1d2a44",
      backgroundColor: "rgba(0,0,0,0)"
    });
    // A drawing sent back by the server, drawn under any strokes added since.
    var earlier = null;
    // Counts clears, so that a drawing still loading when Clear is pressed is not drawn.
    var generation = 0;

    function drawEarlier() {
      var width = canvas.offsetWidth;
      var height = canvas.offsetHeight;
      var scale = Math.min(width / earlier.naturalWidth, height / earlier.naturalHeight);
      canvas.getContext("2d").drawImage(
        earlier, 0, 0, earlier.naturalWidth * scale, earlier.naturalHeight * scale
      );
    }

    function remember() {
      input.value = earlier || !pad.isEmpty() ? pad.toDataURL("image/png") : "";
    }

    // Match the canvas's drawing buffer to its displayed size and the screen's pixel
    // density, keeping what is drawn.
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var width = Math.round(canvas.offsetWidth * ratio);
      var height = Math.round(canvas.offsetHeight * ratio);
      if (!width || !height) return;
      if (canvas.width === width && canvas.height === height) return;
      var data = pad.toData();
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (earlier) drawEarlier();
      if (data.length) pad.fromData(data, { clear: false });
      if (earlier || data.length) remember();
    }

    function restore(url) {
      var mine = generation;
      var image = new Image();
      image.onload = function () {
        if (mine !== generation) return;
        earlier = image;
        drawEarlier();
        remember();
      };
      image.onerror = function () {
        if (mine === generation) input.value = "";
      };
      image.src = url;
    }

    pad.addEventListener("endStroke", remember);

    if (clear) {
      clear.addEventListener("click", function () {
        generation += 1;
        earlier = null;
        pad.clear();
        input.value = "";
      });
    }

    window.addEventListener("resize", resize);
    resize();
    if (input.value.indexOf(PREFIX) === 0) {
      restore(input.value);
    } else {
      input.value = "";
    }
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
