// Draws the events listed on the page on a Leaflet map. Progressive enhancement:
// the list works without it.
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("map");
  const data = document.getElementById("map-points");
  if (!box || !data || typeof L === "undefined") return;
  const points = JSON.parse(data.textContent);
  if (!points.length) return;
  box.hidden = false;
  const map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  const bounds = [];
  for (const point of points) {
    const marker = L.marker([point.lat, point.lon]).addTo(map);
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title; // text, never HTML: titles are written by members
    marker.bindPopup(link);
    bounds.push([point.lat, point.lon]);
  }
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
});
