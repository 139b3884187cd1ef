// Quantity steppers, a type-to-filter box for the till, and share buttons that fill the amount.
document.addEventListener("click", (event) => {
  const step = event.target.closest("button.step");
  if (step) {
    const input = step.parentElement.querySelector("input.qty-input");
    const next = Math.min(99, Math.max(0, (parseInt(input.value, 10) || 0) + parseInt(step.dataset.step, 10)));
    input.value = next === 0 ? "" : String(next);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return;
  }
  const share = event.target.closest("button.share");
  if (share) {
    const amount = document.getElementById("amount");
    if (amount) { amount.value = share.dataset.amount; amount.focus(); }
  }
});
document.addEventListener("input", (event) => {
  const box = event.target.closest("input[data-filter]");
  if (!box) return;
  const needle = box.value.trim().toLowerCase();
  document.querySelectorAll(box.dataset.filter).forEach((el) => {
    el.hidden = needle !== "" && !(el.dataset.name || "").includes(needle);
  });
});
// The guest's order went in (the server's HX-Trigger): empty the cart and refresh its total.
document.addEventListener("order-placed", (event) => {
  const cart = event.target.closest && event.target.closest("#cart");
  if (!cart) return;
  cart.reset();
  htmx.trigger("#cart-total", "refresh");
});
