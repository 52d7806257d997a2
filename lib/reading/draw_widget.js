// Browser side of lib/reading/draw_widget.py: a white canvas drawn on in black (dark on light, as a page) and sent
// to Python as a PNG data URL while the pen moves (at most every SEND_MS) and when a stroke ends; Python's reading.

const SEND_MS = 200;

function render({ model, el }) {
  const [width, height] = [model.get("width"), model.get("height")];
  const size = `width="${width}" height="${height}"`;
  el.innerHTML = `<div class="dn-root">
    <div class="dn-left">
      <div class="dn-board"><canvas ${size} data-testid="canvas"></canvas><canvas ${size}></canvas></div>
      <button type="button" data-testid="clear">Clear</button>
    </div>
    <div class="dn-side">
      <div class="dn-note">What the network sees</div>
      <img alt="prepared input" data-testid="prepared">
      <div class="dn-number" data-testid="prediction"></div>
      <ol data-testid="top"></ol>
      <div class="dn-note" data-testid="message"></div>
    </div>
  </div>`;
  const [canvas, overlay] = el.querySelectorAll("canvas");
  const [prepared, number, top, message, clear] = ["prepared", "prediction", "top", "message", "clear"].map((id) =>
    el.querySelector(`[data-testid=${id}]`),
  );
  const [ctx, octx] = [canvas.getContext("2d"), overlay.getContext("2d")];
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
  function line(event) {
    const box = canvas.getBoundingClientRect(); // the canvas may be shown scaled
    const to = [(event.clientX - box.left) * (width / box.width), (event.clientY - box.top) * (height / box.height)];
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
    line(event); // a click leaves a dot
  });
  canvas.addEventListener("pointermove", (event) => pen && line(event));
  const up = () => {
    if (pen === null) return;
    pen = null;
    send(canvas.toDataURL("image/png"));
  };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  clear.addEventListener("click", () => {
    ctx.fillRect(0, 0, width, height);
    send("");
  });

  function showResult() {
    const readings = model.get("top");
    const url = model.get("prepared");
    prepared.style.visibility = url ? "visible" : "hidden";
    if (url) prepared.src = url;
    number.textContent = readings.length ? String(readings[0].number) : "";
    top.innerHTML = readings.map(({ number: n, probability: p }) => `<li>${n}  ${(100 * p).toFixed(1)}%</li>`).join("");
    message.textContent = model.get("message");
    octx.clearRect(0, 0, width, height);
    Object.assign(octx, { strokeStyle: "rgba(255, 140, 0, 0.9)", lineWidth: 2 });
    for (const [x0, y0, x1, y1] of model.get("boxes")) octx.strokeRect(x0 - 3, y0 - 3, x1 - x0 + 6, y1 - y0 + 6);
  }
  for (const name of ["top", "prepared", "message", "boxes"]) model.on(`change:${name}`, showResult);
  showResult();
  return () => clearTimeout(timer); // anywidget removes the model listeners with the view
}

export default { render };
