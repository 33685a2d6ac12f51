-- 0042: speed up the login lookup
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (email);
