//! Issue 8 breadth through the real binary (`guard check --format json -c LINE`): migration
//! and ORM tools with their safety switches both ways, package runners and interpreters in
//! front of them, more SQL clients and dialects, data stores, HTTP as a command language, and
//! code hosting CLIs. The catalog and rule examples cover the plain shapes; these are the
//! tricky ones.

mod common;

use common::check::assert_verdicts;

#[test]
fn migration_safety_switches_make_it_worse() {
    assert_verdicts(&[
        // A reset alone is asked about; the tool's own switches make it a refusal.
        ("prisma migrate reset", "ask", "migrate.reset"),
        ("prisma migrate reset --force", "deny", "migrate.reset-forced"),
        ("prisma migrate reset -f", "deny", "migrate.reset-forced"),
        ("rails db:drop", "ask", "migrate.reset"),
        ("RAILS_ENV=production rails db:drop", "deny", "migrate.reset-production"),
        ("RACK_ENV=production bin/rails db:reset", "deny", "migrate.reset-production"),
        ("bin/rails db:drop --environment=production", "deny", "migrate.reset-production"),
        ("rake db:schema:load RAILS_ENV=production", "deny", "migrate.reset-production"),
        ("rake RAILS_ENV=production db:create db:drop", "deny", "migrate.reset-production"),
        ("DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:drop", "deny", "migrate.reset-checks-disabled"),
        ("env DISABLE_DATABASE_ENVIRONMENT_CHECK=1 RAILS_ENV=production rake db:reset", "deny", "migrate.reset-checks-disabled"),
        ("export RAILS_ENV=production; bin/rails db:drop", "ask", "migrate.reset"),
        ("python manage.py flush", "ask", "migrate.reset"),
        ("python manage.py flush --no-input", "deny", "migrate.reset-forced"),
        ("php artisan migrate:fresh --force", "deny", "migrate.reset-forced"),
        ("php artisan migrate:fresh --env=production", "deny", "migrate.reset-production"),
        ("MIX_ENV=prod mix ecto.drop", "deny", "migrate.reset-production"),
        ("supabase db reset --linked", "deny", "migrate.reset-remote"),
        ("alembic downgrade base", "deny", "migrate.rollback-to-base"),
        ("goose -dir db postgres \"$DATABASE_URL\" reset", "deny", "migrate.rollback-all"),
        // Plans, dry runs, SQL previews and forward migrations run.
        ("alembic downgrade base --sql", "allow", ""),
        ("php artisan migrate:fresh --pretend", "allow", ""),
        ("python manage.py sqlflush", "allow", ""),
        ("python manage.py migrate shop zero --plan", "allow", ""),
        ("atlas schema apply -u x --to file://s.hcl --auto-approve --dry-run", "allow", ""),
        ("kafka-consumer-groups --bootstrap-server k:9092 --group g --reset-offsets --to-earliest --all-topics", "allow", ""),
        ("RAILS_ENV=production bin/rails db:migrate", "allow", ""),
        ("prisma migrate deploy", "allow", ""),
        ("php artisan migrate --force", "allow", ""),
    ]);
}

#[test]
fn runners_interpreters_and_wrappers_reach_the_tool() {
    assert_verdicts(&[
        ("npx prisma migrate reset --force", "deny", "migrate.reset-forced"),
        ("npx --yes prisma db push --accept-data-loss", "deny", "migrate.reset-forced"),
        ("bunx drizzle-kit push --force", "deny", "migrate.reset-forced"),
        ("./node_modules/.bin/prisma migrate reset --force", "deny", "migrate.reset-forced"),
        ("bundle exec rails db:drop", "ask", "migrate.reset"),
        ("RAILS_ENV=production bundle exec rake db:drop", "deny", "migrate.reset-production"),
        ("bundle exec --gemfile=Gemfile rake db:reset RAILS_ENV=production", "deny", "migrate.reset-production"),
        ("ruby bin/rails db:drop", "ask", "migrate.reset"),
        ("python3 manage.py flush --noinput", "deny", "migrate.reset-forced"),
        ("python -m django flush --noinput", "deny", "migrate.reset-forced"),
        ("python -m alembic downgrade base", "deny", "migrate.rollback-to-base"),
        ("poetry run python manage.py reset_db --noinput", "deny", "migrate.reset-forced"),
        ("uv run --with django python -m django flush --noinput", "deny", "migrate.reset-forced"),
        ("php artisan db:wipe --force", "deny", "migrate.reset-forced"),
        ("sudo -u app bash -c 'cd /srv/app && php artisan migrate:fresh --force'", "deny", "migrate.reset-forced"),
        ("timeout 60 npx sequelize-cli db:drop --env production", "deny", "migrate.reset-production"),
        // The same runners with ordinary work.
        ("npx prisma generate", "allow", ""),
        ("bundle exec rails db:migrate", "allow", ""),
        ("python manage.py runserver 0.0.0.0:8000", "allow", ""),
        ("python -m pytest -q", "allow", ""),
        ("python3 script.py flush", "allow", ""),
    ]);
}

#[test]
fn orm_bulk_deletes_through_runners() {
    assert_verdicts(&[
        ("rails runner 'User.delete_all'", "deny", "code.orm-bulk-delete"),
        ("bin/rails runner -e production 'Order.unscoped.destroy_all'", "deny", "code.orm-bulk-delete"),
        ("bundle exec rails r 'Session.delete_all'", "deny", "code.orm-bulk-delete"),
        ("python manage.py shell -c 'from a.models import B; B.objects.all().delete()'", "deny", "code.orm-bulk-delete"),
        ("echo 'B.objects.all().delete()' | python manage.py shell", "deny", "code.orm-bulk-delete"),
        ("php artisan tinker --execute='App\\Models\\User::query()->delete()'", "deny", "code.orm-bulk-delete"),
        ("rails runner 'User.where(active: false).delete_all'", "allow", ""),
        ("rails runner 'puts User.count'", "allow", ""),
        ("python manage.py shell -c 'B.objects.filter(pk=1).delete()'", "allow", ""),
    ]);
}

#[test]
fn sql_clients_feed_the_sql_analysis() {
    assert_verdicts(&[
        ("clickhouse-client --multiquery -q 'SELECT 1; DROP TABLE events'", "deny", "sql.drop"),
        ("sqlcmd -S db -U sa -P secret -Q 'TRUNCATE TABLE dbo.Orders'", "deny", "sql.truncate"),
        ("sqlcmd -S db <<EOF\nSELECT 1\nGO\nDELETE FROM dbo.Orders\nGO\nEOF", "deny", "sql.delete-without-where"),
        ("bq query --nouse_legacy_sql 'DELETE FROM ds.t WHERE true'", "deny", "sql.delete-without-where"),
        ("snowsql -c prod -q 'DROP SCHEMA raw'", "deny", "sql.drop"),
        ("cockroach sql --insecure -e '\\! rm -rf /'", "deny", "fs.rm-root"),
        ("cqlsh -e 'DROP KEYSPACE shop'", "deny", "sql.drop-store-object"),
        ("beeline -u jdbc:hive2://h -e 'DROP TABLE web.events'", "deny", "sql.drop"),
        ("mariadb -e 'DROP DATABASE shop'", "deny", "sql.drop"),
        ("trino --execute \"$Q\"", "ask", "sql.dynamic"),
        ("bq ls", "allow", ""),
        ("bq cp ds.a ds.b", "allow", ""),
        ("clickhouse-client -q 'SELECT count() FROM events'", "allow", ""),
        ("cockroach start --insecure", "allow", ""),
    ]);
}

#[test]
fn data_stores() {
    assert_verdicts(&[
        ("etcdctl del \"\" --from-key", "deny", "datastore.remove-all"),
        ("etcdctl --endpoints=https://10.0.0.1:2379 del / --prefix", "deny", "datastore.remove-all"),
        ("etcdctl del --prefix /registry/secrets", "ask", "datastore.remove"),
        ("kafka-topics.sh --bootstrap-server k:9092 --delete --topic 'payments.*'", "deny", "datastore.remove-wildcard"),
        ("rabbitmqctl force_reset", "deny", "datastore.remove-all"),
        ("valkey-cli -h cache FLUSHALL", "deny", "datastore.redis-flush"),
        ("influx -execute 'DROP DATABASE telegraf'", "deny", "sql.drop"),
        ("etcdctl get / --prefix --keys-only", "allow", ""),
        ("kafka-topics --bootstrap-server k:9092 --describe --topic orders", "allow", ""),
        ("rabbitmqctl list_queues name messages", "allow", ""),
    ]);
}

#[test]
fn http_method_and_path_are_parsed() {
    assert_verdicts(&[
        // The method from -X/--request, attached or not; the URL from operands or --url.
        ("curl -sS -XDELETE -H 'Authorization: token t' https://api.github.com/repos/acme/app", "deny", "http.github-repo-delete"),
        ("curl --request=DELETE --url https://api.github.com/repos/acme/app", "deny", "http.github-repo-delete"),
        ("curl -X delete https://api.github.com/repos/acme/app", "deny", "http.github-repo-delete"),
        ("gh api -X DELETE /repos/acme/app", "deny", "http.github-repo-delete"),
        ("gh api --method=DELETE repos/acme/app", "deny", "http.github-repo-delete"),
        ("curl -u elastic:pw -X DELETE 'https://es.internal:9200/_all'", "deny", "http.search-wipe"),
        ("curl -H 'Content-Type: application/json' -d '{\"query\":{\"match_all\":{}}}' localhost:9200/logs/_delete_by_query", "deny", "http.search-wipe"),
        ("http DELETE localhost:9200/orders", "deny", "http.search-index-delete"),
        ("curl -X DELETE 'http://localhost:8500/v1/kv/?recurse'", "deny", "http.consul-kv-recurse"),
        ("curl -X PUT http://127.0.0.1:8200/v1/sys/seal", "deny", "http.vault-admin"),
        ("curl -X DELETE http://localhost:8001/api/v1/namespaces/prod", "deny", "http.kubernetes-api-delete"),
        ("curl -X POST http://127.0.0.1:2379/v3/kv/deleterange -d '{\"key\":\"AA==\",\"range_end\":\"AA==\"}'", "deny", "http.etcd-deleterange"),
        ("glab api -X DELETE projects/42", "deny", "http.gitlab-project-delete"),
        // Not grepped: the words appear, but not as the method and path.
        ("curl https://api.github.com/repos/acme/app -H 'X-Note: DELETE'", "allow", ""),
        ("curl -d 'action=DELETE' https://api.example.com/log", "allow", ""),
        ("curl -X DELETE localhost:9200/orders/_doc/1 -o /dev/null", "warn", "http.delete"),
        ("curl -I https://api.github.com/repos/acme/app", "allow", ""),
        ("curl -X DELETE http://localhost:3000/api/todos/7", "warn", "http.delete"),
        ("gh api repos/acme/app/pulls --jq '.[].title'", "allow", ""),
        ("echo curl -X DELETE https://api.github.com/repos/acme/app", "allow", ""),
    ]);
}

#[test]
fn code_hosting() {
    assert_verdicts(&[
        ("gh repo delete acme/app --yes", "deny", "hosting.repo-delete"),
        ("GH_TOKEN=x gh repo delete acme/app --yes", "deny", "hosting.repo-delete"),
        ("glab repo delete acme/app -y", "deny", "hosting.repo-delete"),
        ("gh release delete v2.0.0 --cleanup-tag -y", "ask", "hosting.delete"),
        ("gh -R acme/app secret delete AWS_SECRET_ACCESS_KEY", "ask", "hosting.delete"),
        ("gh api -X DELETE repos/acme/app/git/refs/heads/main", "ask", "http.github-delete"),
        ("git push origin --delete main", "deny", "git.delete-main-branch"),
        ("gh cache delete --all", "warn", "hosting.delete-disposable"),
        ("gh pr merge 12 --squash --delete-branch", "allow", ""),
        ("gh issue list --label bug", "allow", ""),
        ("gh repo archive acme/app --yes", "allow", ""),
    ]);
}

/// README, "What it covers": the rows for migrations, HTTP APIs, code hosting and PaaS, tools
/// nobody listed, as a person sees them (an agent's verdicts are tested in tests/context.rs).
#[test]
fn readme_what_it_covers_rows() {
    assert_verdicts(&[
        ("prisma migrate reset --force", "deny", "migrate.reset-forced"),
        ("RAILS_ENV=production rails db:drop", "deny", "migrate.reset-production"),
        ("DISABLE_DATABASE_ENVIRONMENT_CHECK=1 rails db:drop", "deny", "migrate.reset-checks-disabled"),
        ("python manage.py flush --noinput", "deny", "migrate.reset-forced"),
        ("flyway clean", "ask", "migrate.reset"),
        ("rails runner 'User.delete_all'", "deny", "code.orm-bulk-delete"),
        ("prisma migrate deploy", "allow", ""),
        ("rails db:migrate", "allow", ""),
        ("php artisan migrate:fresh --pretend", "allow", ""),
        ("python manage.py sqlflush", "allow", ""),
        ("RAILS_ENV=test rails db:reset", "allow", ""),
        ("curl -X DELETE https://api.github.com/repos/acme/app", "deny", "http.github-repo-delete"),
        ("curl -X DELETE http://es:9200/_all", "deny", "http.search-wipe"),
        ("curl -X DELETE https://k8s:6443/api/v1/namespaces/prod", "deny", "http.kubernetes-api-delete"),
        ("curl -X DELETE 'http://consul:8500/v1/kv/app?recurse'", "deny", "http.consul-kv-recurse"),
        ("gh repo delete acme/app --yes", "deny", "hosting.repo-delete"),
        ("heroku apps:destroy myapp --confirm myapp", "deny", "cloud.delete-environment"),
        ("fly apps destroy myapp", "deny", "cloud.delete-environment"),
        ("vercel rm myapp --yes", "ask", "cloud.delete-deployment"),
        ("terraform apply -replace=aws_db_instance.main", "deny", "cloud.replace-stateful"),
        ("gh pr list", "allow", ""),
        ("curl https://api.github.com/repos/acme/app", "allow", ""),
        ("curl -X DELETE https://api.example.com/items/42", "warn", "http.delete"),
        ("acme db:drop", "ask", "exec.destructive-verb"),
        ("hostctl apps destroy web", "ask", "exec.destructive-verb"),
        ("tool remove --all", "ask", "exec.destructive-verb"),
        ("tool list", "allow", ""),
        ("tool remove one-item", "allow", ""),
    ]);
}
