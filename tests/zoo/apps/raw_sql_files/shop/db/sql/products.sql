-- name: get_product_by_id(product_id)^
SELECT id, sku, title, price_cents, stock, active
  FROM products
 WHERE id = :product_id;

-- name: list_active_products(limit, offset)
SELECT id, sku, title, price_cents, stock, active
  FROM products
 WHERE active = 1
 ORDER BY sku
 LIMIT :limit OFFSET :offset;

-- name: insert_product(sku, title, price_cents, stock)<!
INSERT INTO products (sku, title, price_cents, stock)
VALUES (:sku, :title, :price_cents, :stock);

-- name: set_product_stock(product_id, stock)!
UPDATE products SET stock = :stock WHERE id = :product_id;

-- name: take_stock(product_id, quantity)!
-- Succeeds (rowcount 1) only when enough stock is left.
UPDATE products
   SET stock = stock - :quantity
 WHERE id = :product_id AND active = 1 AND stock >= :quantity;

-- name: return_stock(product_id, quantity)!
UPDATE products SET stock = stock + :quantity WHERE id = :product_id;

-- name: deactivate_product(product_id)!
UPDATE products SET active = 0 WHERE id = :product_id AND active = 1;
