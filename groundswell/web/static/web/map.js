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
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title; // text, never HTML: titles are written by members
    if (point.radius) {
      // Only the area is public (the host shows the address to the people coming): a
      // circle around a rounded point, never a pin on a house.
      const area = L.circle([point.lat, point.lon], { radius: point.radius }).addTo(map);
      area.bindPopup(link);
      area.getElement()?.setAttribute("aria-label", point.title); // named by its event, as a pin is
      // The circle's box in degrees (the map has no view yet to measure it with).
      const dLat = point.radius / 111320;
      const dLon = dLat / Math.max(Math.cos((point.lat * Math.PI) / 180), 0.01);
      bounds.push([point.lat - dLat, point.lon - dLon], [point.lat + dLat, point.lon + dLon]);
    } else {
      const marker = L.marker([point.lat, point.lon], { title: point.title, alt: point.title }).addTo(map);
      marker.bindPopup(link);
      bounds.push([point.lat, point.lon]);
    }
  }
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
});
