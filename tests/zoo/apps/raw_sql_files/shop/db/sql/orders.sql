-- name: insert_order(customer_id)<!
INSERT INTO orders (customer_id) VALUES (:customer_id);

-- name: insert_order_line(order_id, product_id, quantity, unit_cents)!
INSERT INTO order_lines (order_id, product_id, quantity, unit_cents)
VALUES (:order_id, :product_id, :quantity, :unit_cents);

-- name: set_order_total(order_id, total_cents)!
UPDATE orders SET total_cents = :total_cents WHERE id = :order_id;

-- name: get_order_by_id(order_id)^
SELECT o.id, o.customer_id, o.status, o.total_cents, o.created_at
  FROM orders AS o
 WHERE o.id = :order_id;

-- name: get_order_lines(order_id)
SELECT l.product_id, p.sku, l.quantity, l.unit_cents
  FROM order_lines AS l
  JOIN products AS p ON p.id = l.product_id
 WHERE l.order_id = :order_id
 ORDER BY p.sku;

-- name: list_orders_for_customer(customer_id)
SELECT id, customer_id, status, total_cents, created_at
  FROM orders
 WHERE customer_id = :customer_id
 ORDER BY id;

-- name: list_orders_by_status(status, limit, offset)
SELECT id, customer_id, status, total_cents, created_at
  FROM orders
 WHERE status = :status
 ORDER BY id
 LIMIT :limit OFFSET :offset;

-- name: set_order_status(order_id, from_status, to_status)!
UPDATE orders SET status = :to_status
 WHERE id = :order_id AND status = :from_status;
