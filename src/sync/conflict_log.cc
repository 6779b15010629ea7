#include "sync/conflict_log.h"

#include <algorithm>
#include <charconv>

namespace funkygibbon::sync {
namespace {

constexpr char kCountKey[] = "sync.conflicts.count";
constexpr char kKeyPrefix[] = "sync.conflict.";

std::string KeyOf(int64_t n) {
  std::string s = std::to_string(n);
  return kKeyPrefix + std::string(12 - std::min<size_t>(12, s.size()), '0') + s;
}

}  // namespace

int64_t ConflictCount(store::Store& store) {
  auto v = store.GetMeta(kCountKey);
  if (!v.ok() || !v->has_value()) return 0;
  int64_t n = 0;
  const std::string& s = **v;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return 0;
  return n;
}

void AppendConflict(store::WriteBatch& batch, int64_t n, const Json& record) {
  batch.meta.emplace_back(KeyOf(n), record.dump());
}

void SetConflictCount(store::WriteBatch& batch, int64_t total) {
  batch.meta.emplace_back(kCountKey, std::to_string(total));
}

StatusOr<Json> ReadConflicts(store::Store& store, size_t limit) {
  const int64_t total = ConflictCount(store);
  Json out = Json::array();
  for (int64_t n = total; n >= 1 && out.size() < limit; --n) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store.GetMeta(KeyOf(n)));
    if (!v) continue;
    Json j = Json::parse(*v, nullptr, false);
    if (j.is_discarded()) continue;
    out.push_back(std::move(j));
  }
  return Json{{"conflicts", std::move(out)}, {"total", total}};
}

}  // namespace funkygibbon::sync
