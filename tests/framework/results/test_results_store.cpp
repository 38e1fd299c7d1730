// The results store: records read back from run folders, queried with filters, replaced by a
// rerun, and intact after a writer dies mid-transaction.
#include <catch2/catch.hpp>

#include "framework/io/atomic_file.h"
#include "framework/results/results_store.h"
#include "tests/support/temp_dir.h"

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

using namespace ptq;
using Json = nlohmann::json;

namespace {
// A run folder as ptq run writes it (two variants), for `seed`.
std::string fake_run(const test::TempDir& dir, const std::string& name, int seed, double top1, bool finished = true) {
  const auto folder = dir.path() / name;
  const std::string config = "seed: " + std::to_string(seed) + "\nmethod: {name: qdrop}\n"
                             "variants: [{name: W4A4, set: {}}, {name: W2A2, set: {}}]\n";
  io::write_text_atomic((folder / "config.yaml").string(), config);
  io::write_text_atomic((folder / "env.json").string(),
                        Json{{"ptq_commit", "abc"}, {"threads", 2}, {"host", "h"}, {"libtorch", "1.13"}}.dump());
  Json runs = Json::array();
  runs.push_back({{"name", "W4A4"}, {"method", "qdrop"}, {"label", "W4A4"}, {"top1", top1}, {"method_seconds", 3.5},
                  {"method_peak_rss_mb", 400.0}});
  if (finished) runs.push_back({{"name", "W2A2"}, {"method", "qdrop"}, {"label", "W2A2"}, {"top1", top1 - 10}});
  io::write_text_atomic((folder / "metrics.json").string(),
                        Json{{"config", "exp"}, {"seed", seed}, {"fp", {{"top1", 90.0}}}, {"finished", finished},
                             {"runs", runs}}.dump());
  return folder.string();
}
}  // namespace

TEST_CASE("results store: records runs, filters rows, replaces a rerun", "[results]") {
  test::TempDir dir;
  ResultsStore store(dir.file("r.sqlite"));
  auto a = read_run(fake_run(dir, "a", 1, 80.0));
  auto b = read_run(fake_run(dir, "b", 2, 82.0));
  REQUIRE(a);
  REQUIRE(b);
  a->sweep = "sw";
  a->swept = {{"seed", 1}, {"method.p", 0.5}};
  store.record(*a);
  store.record(*b);
  CHECK(store.run_count() == 2);
  CHECK(store.contains(a->hash));
  CHECK(a->hash != b->hash);
  auto rows = store.query();
  REQUIRE(rows.size() == 4);  // two runs × two variants
  rows = store.query({{"variant", "W4A4"}});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["top1"] == 80.0);
  CHECK(rows[0]["threads"] == 2);
  CHECK(rows[0]["peak_rss_mb"] == 400.0);
  rows = store.query({{"sweep", "sw"}, {"method.p", "0.5"}});
  CHECK(rows.size() == 2);
  CHECK(field_text(rows[0], "method.p") == "0.5");
  CHECK(store.query({{"seed", "2"}, {"variant", "W2A2"}})[0]["top1"] == 72.0);
  // A run joins another sweep without losing the first; filtering on a sweep shows it once.
  store.add_to_sweep(a->hash, "other", {{"seed", 1}});
  CHECK(store.query({{"sweep", "other"}}).size() == 2);
  CHECK(store.query({{"sweep", "sw"}}).size() == 2);
  CHECK_THROWS_WITH(store.add_to_sweep("nope", "other", {}), Catch::Contains("no run"));
  // The same run recorded again replaces its record, memberships kept.
  a->metrics["runs"][0]["top1"] = 81.0;
  store.record(*a);
  CHECK(store.run_count() == 2);
  CHECK(store.query({{"sweep", "sw"}, {"variant", "W4A4"}})[0]["top1"] == 81.0);
  CHECK(store.query({{"sweep", "other"}, {"variant", "W4A4"}})[0]["top1"] == 81.0);
  const auto csv = results_csv(store.query({{"variant", "W4A4"}}));
  CHECK(csv.rfind("hash,sweep,config,arch,seed,", 0) == 0);
  CHECK(csv.find(",method.p\n") != std::string::npos);
}

TEST_CASE("results store: unfinished or damaged run folders are not read as complete", "[results]") {
  test::TempDir dir;
  CHECK_FALSE(read_run(fake_run(dir, "half", 1, 80.0, false)).has_value());
  CHECK_FALSE(run_is_complete(dir.file("half")));
  const auto broken = fake_run(dir, "broken", 1, 80.0);
  io::write_text_atomic(broken + "/metrics.json", "{\"config\": \"exp\", \"runs\": [");
  CHECK_FALSE(run_is_complete(broken));
  CHECK_THROWS_WITH(read_run(broken), Catch::Contains("metrics.json is not valid JSON"));
  CHECK_FALSE(run_is_complete(dir.file("missing")));
}

TEST_CASE("results store: a writer killed inside a transaction leaves the store as it was", "[results]") {
  test::TempDir dir;
  const auto path = dir.file("r.sqlite");
  {
    ResultsStore store(path);
    store.record(*read_run(fake_run(dir, "a", 1, 80.0)));
  }
  const auto b = *read_run(fake_run(dir, "b", 2, 82.0));
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    sql::Database db(path);
    db.exec("BEGIN IMMEDIATE");
    db.query("DELETE FROM results");
    db.query("INSERT INTO runs(hash, config) VALUES ('x', 'half')");
    ::raise(SIGKILL);  // dies with the transaction open and the journal on disk
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  ResultsStore store(path);
  CHECK(store.run_count() == 1);
  CHECK(store.query().size() == 2);
  sql::Database db(path);
  CHECK(sql::as_text(db.query("PRAGMA integrity_check")[0][0]) == "ok");
  store.record(b);  // and it takes new writes
  CHECK(store.run_count() == 2);
}

TEST_CASE("results store: a missing store and a file that is not a database are clear errors", "[results]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(ResultsStore(dir.file("none.sqlite"), false), Catch::Contains("does not exist"));
  const auto junk = dir.write("junk.sqlite", std::string(4096, 'x'));
  CHECK_THROWS_WITH(ResultsStore(junk), Catch::Contains("junk.sqlite") && Catch::Contains("ptq results --collect"));
}
