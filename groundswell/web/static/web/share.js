// Progressive enhancement for the hub: a "Copy link" button. Without JavaScript
// the link is a read-only field anyone can select.
document.querySelectorAll("[data-copy-button]").forEach((button) => {
  const row = button.closest(".copy-row");
  const source = row.querySelector("[data-copy-source]");
  const status = row.querySelector("[data-copy-status]");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
    } catch (error) {
      source.select();
      document.execCommand("copy");
    }
    status.textContent = "Copied!";
    setTimeout(() => { status.textContent = ""; }, 3000);
  });
});
