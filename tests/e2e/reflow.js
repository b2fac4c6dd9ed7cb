// What a page does at the current viewport: whether it scrolls sideways (WCAG 1.4.10 Reflow), which elements stick
// out past the right edge, and which pointer targets are smaller than 24 by 24 CSS pixels without the spacing or
// inline exceptions of WCAG 2.5.8 (Target Size, Minimum). Evaluated by tests/helpers/browser.py's Reflow.
() => {
  const viewport = document.documentElement.clientWidth;
  const describe = (element) => {
    const id = element.id ? `#${element.id}` : "";
    const classes = element.classList.length ? `.${[...element.classList].join(".")}` : "";
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim();
    return `${element.tagName.toLowerCase()}${id}${classes} "${text.slice(0, 40)}"`;
  };
  const shown = (element) => {
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false; // visually hidden (skip link, screen-reader text)
    return element.closest("[hidden], [aria-hidden='true'], .nhsuk-u-visually-hidden") === null;
  };
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (!shown(element)) continue;
    const box = element.getBoundingClientRect();
    if (box.right <= viewport + 1 && element.scrollWidth > element.clientWidth + 1 && box.left + element.scrollWidth > viewport + 1
        && getComputedStyle(element).overflowX === "visible") {
      wide.push(`${describe(element)} has content ${element.scrollWidth} px wide in a box of ${element.clientWidth} px`);
    }
    if (box.right > viewport + 1) {
      // Report the innermost elements that stick out, not every ancestor of them.
      const inner = [...element.children].some((child) => shown(child) && child.getBoundingClientRect().right > viewport + 1);
      if (!inner) wide.push(`${describe(element)} reaches ${Math.round(box.right)} px`);
    }
  }
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
  const targets = [...document.querySelectorAll(selector)].filter((element) => {
    if (element.matches("input[type=radio], input[type=checkbox]")) return shown(element.closest("div") || element);
    return shown(element);
  });
  const boxes = targets.map((element) => element.getBoundingClientRect());
  const inline = (element) => {
    // The inline exception: a link in a sentence or a block of text, sized by the line it sits in.
    if (element.tagName !== "A" || getComputedStyle(element).display !== "inline") return false;
    const block = element.closest("p, li, td, th, dd, dt, span, label, legend, div");
    return block !== null && block.innerText.trim().length > element.innerText.trim().length;
  };
  const small = [];
  targets.forEach((element, index) => {
    const box = boxes[index];
    if (box.width >= 24 && box.height >= 24) return;
    if (inline(element)) return;
    // The spacing exception: a 24 px circle on the target's centre meets no other target or its circle.
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    const crowded = boxes.some((other, otherIndex) => {
      if (otherIndex === index || targets[otherIndex].contains(element) || element.contains(targets[otherIndex])) return false;
      const nearestX = Math.max(other.left, Math.min(x, other.right));
      const nearestY = Math.max(other.top, Math.min(y, other.bottom));
      return Math.hypot(x - nearestX, y - nearestY) < 24;
    });
    if (crowded) small.push(`${describe(element)} is ${Math.round(box.width)} x ${Math.round(box.height)} px`);
  });
  return { viewport, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8), small };
}
