// Browser side of lib/reading/draw_widget.py: a white canvas drawn on in black with the pointer (dark on light, as
// a page), a Clear button, and what Python sends back (the prepared input, the digits' boxes, the top 5, a message).
// The drawing goes to Python as a PNG data URL while the pen moves (at most every SEND_MS) and when a stroke ends.

const SEND_MS = 200;

function render({ model, el }) {
  const width = model.get("width");
  const height = model.get("height");
  const size = `width="${width}" height="${height}"`;
  el.innerHTML = `<div class="dn-root">
    <div class="dn-left">
      <div class="dn-board">
        <canvas class="dn-canvas" ${size} data-testid="canvas"></canvas><canvas class="dn-overlay" ${size}></canvas>
      </div>
      <button class="dn-clear" type="button" data-testid="clear">Clear</button>
    </div>
    <div class="dn-side">
      <div class="dn-label">What the network sees</div>
      <img class="dn-prepared" alt="prepared input" data-testid="prepared">
      <div class="dn-reading">
        <span class="dn-number" data-testid="prediction"></span><span class="dn-probability" data-testid="probability"></span>
      </div>
      <ol class="dn-top" data-testid="top"></ol>
      <div class="dn-message" data-testid="message"></div>
    </div>
  </div>`;
  const part = (name) => el.querySelector(`.dn-${name}`);
  const [canvas, overlay, prepared, number, probability, top, message] = [
    "canvas", "overlay", "prepared", "number", "probability", "top", "message",
  ].map(part);
  const ctx = canvas.getContext("2d");
  const octx = overlay.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);

  let pen = null; // last point while the pointer is down
  let timer = null; // a send waiting, while drawing
  function send(url) {
    clearTimeout(timer);
    timer = null;
    model.set("drawing", url);
    model.save_changes();
  }
  function point(event) {
    const box = canvas.getBoundingClientRect(); // the canvas may be shown scaled
    return [(event.clientX - box.left) * (width / box.width), (event.clientY - box.top) * (height / box.height)];
  }
  function line(to) {
    Object.assign(ctx, { strokeStyle: "#000", lineWidth: model.get("brush"), lineCap: "round", lineJoin: "round" });
    ctx.beginPath();
    ctx.moveTo(...(pen ?? to));
    ctx.lineTo(...to);
    ctx.stroke();
    pen = to;
    timer ??= setTimeout(() => send(canvas.toDataURL("image/png")), SEND_MS);
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    line(point(event)); // a click leaves a dot
  });
  canvas.addEventListener("pointermove", (event) => pen && line(point(event)));
  const up = () => {
    if (pen === null) return;
    pen = null;
    send(canvas.toDataURL("image/png"));
  };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  part("clear").addEventListener("click", () => {
    ctx.fillRect(0, 0, width, height);
    octx.clearRect(0, 0, width, height);
    send("");
  });

  function showResult() {
    const readings = model.get("top");
    const url = model.get("prepared");
    prepared.style.visibility = url ? "visible" : "hidden";
    if (url) prepared.src = url;
    const percent = (p) => `${(100 * p).toFixed(1)}%`;
    number.textContent = readings.length ? String(readings[0].number) : "";
    probability.textContent = readings.length ? percent(readings[0].probability) : "";
    top.innerHTML = readings
      .map(({ number: n, probability: p }) => {
        const bar = `<span class="dn-bar" style="width: ${Math.max(1, Math.round(100 * p))}%"></span>`;
        return `<li class="dn-top-item">${bar}<span class="dn-top-text">${n}  ${percent(p)}</span></li>`;
      })
      .join("");
    message.textContent = model.get("message");
    octx.clearRect(0, 0, width, height);
    octx.strokeStyle = "rgba(255, 140, 0, 0.9)";
    octx.lineWidth = 2;
    for (const [x0, y0, x1, y1] of model.get("boxes")) octx.strokeRect(x0 - 3, y0 - 3, x1 - x0 + 6, y1 - y0 + 6);
  }
  const events = ["change:top", "change:prepared", "change:message", "change:boxes"];
  for (const name of events) model.on(name, showResult);
  showResult();

  return () => {
    clearTimeout(timer);
    for (const name of events) model.off(name, showResult);
  };
}

export default { render };
