// Optional drawn signature on the signing page. Each [data-signature-pad] container holds
// a <canvas>, a hidden input named "drawn_signature" and a clear button. The container is
// hidden in the HTML, so without JavaScript (or without the SignaturePad library) nothing
// is shown and the form signs the same way, with no drawing.
(function () {
  "use strict";

  if (typeof window.SignaturePad !== "function") return;

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

    // Match the canvas's drawing buffer to its displayed size and the screen's pixel
    // density, keeping any strokes already drawn.
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
      if (data.length) {
        pad.fromData(data);
        input.value = pad.toDataURL("image/png");
      }
    }

    pad.addEventListener("endStroke", function () {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    });

    if (clear) {
      clear.addEventListener("click", function () {
        pad.clear();
        input.value = "";
      });
    }

    window.addEventListener("resize", resize);
    resize();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
