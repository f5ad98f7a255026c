"use strict";

function formatPrice(cents, currency) {
  return (cents / 100).toLocaleString(undefined, { style: "currency", currency });
}

function renderProduct(product) {
  const item = document.createElement("li");
  const image = document.createElement("img");
  if (product.photo_ids.length) image.src = `/api/images/${product.photo_ids[0]}/raw`;
  image.alt = product.title;
  const title = document.createElement("strong");
  title.textContent = product.title;
  const price = document.createElement("div");
  price.className = "price";
  price.textContent = formatPrice(product.price_cents, product.currency);
  item.append(image, title, price);
  return item;
}

async function search(query) {
  const params = new URLSearchParams({ q: query, per_page: "24" });
  const response = await fetch(`/api/catalog/products?${params}`);
  const page = await response.json();
  const list = document.getElementById("products");
  list.replaceChildren(...page.items.map(renderProduct));
  document.getElementById("empty").hidden = page.items.length > 0;
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  search(new FormData(event.target).get("q") || "");
});

search("");
