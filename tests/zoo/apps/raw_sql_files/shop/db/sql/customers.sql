-- name: get_customer_by_id(customer_id)^
SELECT id, email, name, created_at
  FROM customers
 WHERE id = :customer_id;

-- name: get_customer_by_email(email)^
SELECT id, email, name, created_at
  FROM customers
 WHERE email = :email;

-- name: list_customers(limit, offset)
SELECT id, email, name, created_at
  FROM customers
 ORDER BY id
 LIMIT :limit OFFSET :offset;

-- name: insert_customer(email, name)<!
INSERT INTO customers (email, name) VALUES (:email, :name);

-- name: rename_customer(customer_id, name)!
UPDATE customers SET name = :name WHERE id = :customer_id;
