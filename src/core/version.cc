#include "core/version.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace funkygibbon {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian); Howard Hinnant's algorithm.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

constexpr Micros kMicrosPerDay = 86400LL * 1000000LL;

}  // namespace

Micros NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatTimestamp(Micros t) {
  int64_t days = t / kMicrosPerDay;
  Micros rem = t % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t secs = rem / 1000000;
  // Written by hand: entities and edges format two of these each, and
  // snprintf was a visible part of a read's cost. Years outside 0..9999
  // (which ParseTimestamp never yields) keep snprintf's exact output.
  if (y < 0 || y > 9999) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lld+00:00",
                  static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                  static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60),
                  static_cast<long long>(rem % 1000000));
    return buf;
  }
  std::string out = "0000-00-00T00:00:00.000000+00:00";
  const auto put = [&out](size_t end, int64_t v, int width) {
    for (int i = 1; i <= width; ++i, v /= 10) out[end - static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(4, y, 4);
  put(7, m, 2);
  put(10, d, 2);
  put(13, secs / 3600, 2);
  put(16, (secs / 60) % 60, 2);
  put(19, secs % 60, 2);
  put(26, rem % 1000000, 6);
  return out;
}

std::optional<Micros> ParseTimestamp(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(DaysInMonth(y, static_cast<unsigned>(mo))) ||
      h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  Micros frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    Micros scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) {
        frac += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
      ++n;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  Micros offset = 0;
  if (pos < s.size()) {
    char z = s[pos];
    if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) {
      pos += 1;
    } else if (z == '+' || z == '-') {
      int oh, om;
      if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
      size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!Digits(s, mpos, 2, &om) || mpos + 2 != s.size() || oh > 23 || om > 59) return std::nullopt;
      offset = (oh * 3600LL + om * 60LL) * 1000000LL * (z == '+' ? 1 : -1);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (se == 60) se = 59;  // leap second: clamp rather than reject
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const Micros t = days * kMicrosPerDay + ((h * 3600LL + mi * 60LL + se) * 1000000LL) + frac - offset;
  // A zone offset can carry 0000-01-01 or 9999-12-31 into a year that
  // FormatTimestamp cannot write in 32 characters (and ParseTimestamp could
  // not read back), so such instants are refused rather than stored.
  static const Micros kFirstMicros = DaysFromCivil(0, 1, 1) * kMicrosPerDay;
  if (t < kFirstMicros || t > kLastMicros) return std::nullopt;
  return t;
}

std::optional<ParsedVersion> ParseVersion(std::string_view v) {
  // Canonical: 32-char timestamp; legacy: 27-char timestamp ending in Z.
  ParsedVersion out;
  size_t ts_len;
  if (v.size() > 32 && v.substr(26, 6) == "+00:00" && v[32] == '-') {
    ts_len = 32;
  } else if (v.size() > 27 && (v[26] == 'Z') && v[27] == '-') {
    ts_len = 27;
    out.legacy_z = true;
  } else {
    return std::nullopt;
  }
  if (v[19] != '.') return std::nullopt;
  auto t = ParseTimestamp(v.substr(0, ts_len));
  if (!t) return std::nullopt;
  int counter;
  size_t cpos = ts_len + 1;
  if (!Digits(v, cpos, 6, &counter)) return std::nullopt;
  if (cpos + 6 >= v.size() || v[cpos + 6] != '-') return std::nullopt;
  out.time = *t;
  out.counter = counter;
  out.user_id = std::string(v.substr(cpos + 7));
  if (out.user_id.empty()) return std::nullopt;
  return out;
}

std::string FormatVersion(const ParsedVersion& v) {
  std::string out = FormatTimestamp(v.time);
  out.reserve(out.size() + 8 + v.user_id.size());
  int counter = v.counter % 1000000;
  if (counter < 0) {  // never made by ParseVersion or VersionGenerator
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06d", counter);
    return out + "-" + buf + "-" + v.user_id;
  }
  out += "-000000-";
  for (size_t i = out.size() - 2; counter > 0; --i, counter /= 10) {
    out[i] = static_cast<char>('0' + counter % 10);
  }
  out += v.user_id;
  return out;
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto pa = ParseVersion(a);
  auto pb = ParseVersion(b);
  if (pa && pb) {
    if (pa->time != pb->time) return pa->time < pb->time ? -1 : 1;
    if (pa->counter != pb->counter) return pa->counter < pb->counter ? -1 : 1;
    int c = pa->user_id.compare(pb->user_id);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Micros VersionGenerator::NextMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  Micros now = NowMicros();
  last_time_ = now > last_time_ ? now : std::min(last_time_ + 1, kLastMicros);
  counter_ = 0;
  return last_time_;
}

std::string VersionGenerator::Next(std::string_view user_id, std::string_view floor) {
  std::lock_guard<std::mutex> lock(mu_);
  Micros now = NowMicros();
  int floor_counter = -1;  // set when the floor holds the last instant
  if (auto f = ParseVersion(floor)) {
    // Never produce a version that sorts before the one it supersedes. A
    // version cannot be later than kLastMicros (it would need a five-digit
    // year, which no longer parses), so past that only the counter can grow.
    if (f->time >= kLastMicros) {
      now = kLastMicros;
      floor_counter = f->counter;
    } else if (f->time >= now) {
      now = f->time + 1;
    }
  }
  if (now > last_time_) {
    last_time_ = now;
    counter_ = 0;
  } else if (last_time_ >= kLastMicros) {
    counter_ = std::min(counter_ + 1, 999999);
  } else if (++counter_ > 999999) {
    ++last_time_;
    counter_ = 0;
  }
  if (last_time_ >= kLastMicros && counter_ <= floor_counter) {
    counter_ = std::min(floor_counter + 1, 999999);
  }
  ParsedVersion v;
  v.time = last_time_;
  v.counter = counter_;
  v.user_id = std::string(user_id.empty() ? "system" : user_id);
  return FormatVersion(v);
}

}  // namespace funkygibbon
