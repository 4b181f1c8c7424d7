#!/usr/bin/env bash
# Prove each code project migrates on a real PostgreSQL, the way `pgmb try --command` will run it.
#
#   npx tsx src/cli/with-database.ts -- bash test/code-projects/check.sh [TOOL ...]
#
# TEST_DATABASE_URL: a superuser URL (with-database.ts gives one). For each tool and variant, in a
# fresh database: copy base/ to a temp dir and migrate (accounts made, base migration recorded);
# copy the variant in and migrate again (only the new migration applied); migrate a third time
# (nothing applied, exit 0). Every command runs with `env -i`: PATH=/usr/bin:/bin and DATABASE_URL only.
# backfill_loop: 5,500 rows are inserted before the second run, and every score must go up by 1.
# index_*: during the second run a session holds an open INSERT on accounts, so the index build
# has to wait; what it waits in tells the two apart: a plain CREATE INDEX queues for SHARE on
# accounts, CREATE INDEX CONCURRENTLY shows in pg_stat_progress_create_index under that name.
# knex: the copy gets node_modules -> the repo's (see knex/README.md).
# Sessions: pg_stat_database.sessions of the database, before and after each command.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
ADMIN_URL=${TEST_DATABASE_URL:?set TEST_DATABASE_URL (run inside src/cli/with-database.ts)}
TOOLS=("$@")
[ ${#TOOLS[@]} -gt 0 ] || TOOLS=(django alembic rails knex sequelize)
VARIANTS=(index_plain index_concurrent backfill_loop)
WORK=$(mktemp -d -t pgmb-code-projects.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILURES=()
SUMMARY=()

# The command that migrates each project, run from the project folder.
migrate_argv() {
  case $1 in
    django) echo "$PY manage.py migrate --noinput" ;;
    alembic) echo "$PY -m alembic upgrade head" ;;
    rails) echo "rake db:migrate" ;;
    knex) echo "node $REPO/node_modules/.bin/knex migrate:latest" ;;
    sequelize) echo "node $REPO/node_modules/.bin/sequelize-cli db:migrate" ;;
  esac
}

history_sql() {
  case $1 in
    django) echo "SELECT app || '.' || name FROM django_migrations ORDER BY id" ;;
    alembic) echo "SELECT version_num FROM alembic_version" ;;
    rails) echo "SELECT version FROM schema_migrations ORDER BY version" ;;
    knex) echo "SELECT name || ' (batch ' || batch || ')' FROM knex_migrations ORDER BY id" ;;
    sequelize) echo "SELECT name FROM \"SequelizeMeta\" ORDER BY name" ;;
  esac
}

# sql URL QUERY: rows as lines, columns joined by |.
sql() {
  $PY - "$1" "$2" <<'PY'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
cur = conn.cursor()
cur.execute(sys.argv[2])
if cur.description:
    for row in cur.fetchall():
        print("|".join("" if v is None else str(v) for v in row))
conn.close()
PY
}

db_url() { $PY -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$ADMIN_URL" "$1"; }

sessions() {
  sleep 0.3
  sql "$ADMIN_URL" "SELECT pg_stat_clear_snapshot(); SELECT sessions FROM pg_stat_database WHERE datname = '$1'" | tail -1
}

# run_migrate TOOL DIR URL LOG: the command, with nothing in the environment but PATH and DATABASE_URL.
run_migrate() {
  (cd "$2" && env -i PATH=/usr/bin:/bin DATABASE_URL="$3" $(migrate_argv "$1")) >"$4" 2>&1
}

# probe_migrate TOOL DIR URL LOG: run_migrate while an open INSERT on accounts makes the index build wait.
probe_migrate() {
  $PY - "$ADMIN_URL" "$3" "$2" "$4" $(migrate_argv "$1") <<'PY'
import subprocess, sys, time, psycopg2
admin_url, url, cwd, log = sys.argv[1:5]
argv = sys.argv[5:]
blocker = psycopg2.connect(url)
cur = blocker.cursor()
cur.execute("INSERT INTO accounts (email) VALUES ('blocker@example.com')")
cur.execute("SELECT 'accounts'::regclass::oid, (SELECT oid FROM pg_database WHERE datname = current_database())")
table_oid, db_oid = cur.fetchone()
watcher = psycopg2.connect(admin_url)
watcher.autocommit = True
w = watcher.cursor()
with open(log, "w") as out:
    child = subprocess.Popen(argv, cwd=cwd, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url}, stdout=out, stderr=subprocess.STDOUT)
    seen = "nothing seen"
    deadline = time.time() + 30
    while time.time() < deadline and child.poll() is None:
        w.execute("SELECT command, phase FROM pg_stat_progress_create_index WHERE datid = %s", (db_oid,))
        row = w.fetchone()
        if row:
            seen = f"pg_stat_progress_create_index: {row[0]} ({row[1]})"
            break
        w.execute("SELECT mode FROM pg_locks WHERE NOT granted AND database = %s AND relation = %s", (db_oid, table_oid))
        row = w.fetchone()
        if row:
            seen = f"waits for {row[0]} on accounts"
            break
        time.sleep(0.05)
    blocker.rollback()
    blocker.close()
    code = child.wait(timeout=120)
watcher.close()
print(seen)
sys.exit(code)
PY
}

show_log() { sed 's/^/      | /' "$1"; }

fail() { FAILURES+=("$1"); echo "    FAIL: $1"; }

check_one() {
  local tool=$1 variant=$2
  local name="cp_${tool}_${variant}"
  local url dir log before after code hist1 hist2 hist3 new seen
  echo "== $tool / $variant"
  sql "$ADMIN_URL" "DROP DATABASE IF EXISTS $name" >/dev/null
  sql "$ADMIN_URL" "CREATE DATABASE $name" >/dev/null
  url=$(db_url "$name")
  dir="$WORK/$tool-$variant"
  cp -r "$HERE/$tool/base" "$dir"
  # The knex CLI runs the knex it finds from the project folder (as in a project with its own
  # node_modules), and finds none in a copy outside the repo: link the repo's, as an install would.
  [ "$tool" = knex ] && ln -s "$REPO/node_modules" "$dir/node_modules"
  local start_failures=${#FAILURES[@]}

  # 1: the base migration.
  log="$WORK/$tool-$variant.1.log"
  before=$(sessions "$name")
  run_migrate "$tool" "$dir" "$url" "$log"; code=$?
  after=$(sessions "$name")
  hist1=$(sql "$url" "$(history_sql "$tool")" 2>&1 | paste -sd, -)
  echo "  run 1: exit $code, sessions $((after - before)), history [$hist1]"
  show_log "$log"
  [ "$code" -eq 0 ] || fail "$tool/$variant run 1 exited $code"
  local cols
  cols=$(sql "$url" "SELECT column_name || ' ' || data_type || ' ' || CASE is_nullable WHEN 'NO' THEN 'not null' ELSE 'null' END || coalesce(' default ' || column_default, '') FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position" | paste -sd, -)
  echo "  accounts: $cols"
  [ "$(echo "$hist1" | tr ',' '\n' | grep -c .)" -eq 1 ] || fail "$tool/$variant run 1 recorded [$hist1], not one migration"

  # 2: the variant.
  if [ "$variant" = backfill_loop ]; then
    sql "$url" "INSERT INTO accounts (email, score) SELECT 'user' || g || '@example.com', g % 7 FROM generate_series(1, 5500) g" >/dev/null
    sql "$url" "CREATE TABLE check_scores_before AS SELECT id, score FROM accounts" >/dev/null
  fi
  cp -r "$HERE/$tool/variants/$variant/." "$dir/"
  log="$WORK/$tool-$variant.2.log"
  before=$(sessions "$name")
  if [ "$variant" = backfill_loop ]; then
    run_migrate "$tool" "$dir" "$url" "$log"; code=$?; seen=""
  else
    seen=$(probe_migrate "$tool" "$dir" "$url" "$log"); code=$?
    seen=" (1 of them the blocker), index build: $seen"
  fi
  after=$(sessions "$name")
  hist2=$(sql "$url" "$(history_sql "$tool")" 2>&1 | paste -sd, -)
  echo "  run 2: exit $code, sessions $((after - before))$seen, history [$hist2]"
  show_log "$log"
  [ "$code" -eq 0 ] || fail "$tool/$variant run 2 exited $code"
  new=$(comm -13 <(echo "$hist1" | tr ',' '\n' | sort) <(echo "$hist2" | tr ',' '\n' | sort) | paste -sd, -)
  case $tool in
    alembic) [ "$hist2" = "0002_$variant" ] || fail "$tool/$variant run 2: alembic_version is [$hist2]" ;;
    *) { [ "$(echo "$new" | tr ',' '\n' | grep -c .)" -eq 1 ] && [ "$(echo "$hist2" | tr ',' '\n' | grep -c .)" -eq 2 ] && echo "$new" | grep -qiE "${variant//_/[-_]}|20240102000000"; } || fail "$tool/$variant run 2 added [$new] to [$hist1]" ;;
  esac
  case $variant in
    index_*)
      local idx
      idx=$(sql "$url" "SELECT i.indexrelid::regclass || ' valid=' || i.indisvalid || ' ready=' || i.indisready || ': ' || pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = 'accounts'::regclass AND NOT i.indisprimary")
      echo "  index: $idx"
      echo "$idx" | grep -q 'valid=true ready=true: CREATE INDEX accounts_score_idx ON public.accounts USING btree (score)' || fail "$tool/$variant: no valid index on accounts(score)"
      if [ "$variant" = index_concurrent ]; then
        echo "$seen" | grep -q 'CREATE INDEX CONCURRENTLY' || fail "$tool/$variant: the build was not seen as CREATE INDEX CONCURRENTLY"
      else
        echo "$seen" | grep -q 'waits for ShareLock on accounts' || fail "$tool/$variant: the build was not seen waiting for SHARE on accounts"
      fi
      ;;
    backfill_loop)
      local bumped
      bumped=$(sql "$url" "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE a.score = b.score + 1) || ' went up by exactly 1' FROM accounts a FULL JOIN check_scores_before b USING (id)")
      echo "  scores: $bumped"
      [ "$bumped" = "5500 rows, 5500 went up by exactly 1" ] || fail "$tool/$variant: $bumped"
      ;;
  esac

  # 3: nothing left to apply.
  log="$WORK/$tool-$variant.3.log"
  local schema_before schema_after
  schema_before=$(sql "$url" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
  before=$(sessions "$name")
  run_migrate "$tool" "$dir" "$url" "$log"; code=$?
  after=$(sessions "$name")
  hist3=$(sql "$url" "$(history_sql "$tool")" 2>&1 | paste -sd, -)
  schema_after=$(sql "$url" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
  echo "  run 3: exit $code, sessions $((after - before)), history [$hist3]"
  show_log "$log"
  [ "$code" -eq 0 ] || fail "$tool/$variant run 3 exited $code"
  [ "$hist3" = "$hist2" ] || fail "$tool/$variant run 3 changed the history to [$hist3]"
  [ "$schema_after" = "$schema_before" ] || fail "$tool/$variant run 3 changed the schema ($schema_before -> $schema_after relations)"

  if [ ${#FAILURES[@]} -eq "$start_failures" ]; then SUMMARY+=("PASS $tool/$variant"); else SUMMARY+=("FAIL $tool/$variant"); fi
  sql "$ADMIN_URL" "DROP DATABASE $name" >/dev/null
}

echo "versions: $($PY -c 'import django, alembic, sqlalchemy, psycopg2; print("django", django.__version__, "| alembic", alembic.__version__, "| sqlalchemy", sqlalchemy.__version__, "| psycopg2", psycopg2.__version__.split()[0])')" \
  "| activerecord $(ruby -e 'require "active_record"; require "pg"; print ActiveRecord.version, " | pg gem ", PG::VERSION, " | ruby ", RUBY_VERSION') | rake $(rake --version | awk '{print $3}')" \
  "| knex $(node -p "require('$REPO/node_modules/knex/package.json').version") | sequelize $(node -p "require('$REPO/node_modules/sequelize/package.json').version") | sequelize-cli $(node -p "require('$REPO/node_modules/sequelize-cli/package.json').version") | pg $(node -p "require('$REPO/node_modules/pg/package.json').version")" \
  "| server $(sql "$ADMIN_URL" 'SHOW server_version')"

for tool in "${TOOLS[@]}"; do
  for variant in "${VARIANTS[@]}"; do
    check_one "$tool" "$variant"
  done
done

echo
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
if [ ${#FAILURES[@]} -gt 0 ]; then
  printf 'failure: %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "all ${#SUMMARY[@]} checks passed"
