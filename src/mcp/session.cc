#include "mcp/session.h"

#include <utility>

#include "mcp/json_text.h"

namespace funkygibbon::mcp {

Session::Session(Outbound outbound, Caller caller)
    : caller_(std::move(caller)) {
  if (outbound)
    outbound_ = std::make_shared<const Outbound>(std::move(outbound));
}

Session::~Session() = default;

void Session::SetOutbound(Outbound outbound) {
  auto next = outbound ? std::make_shared<const Outbound>(std::move(outbound))
                       : nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  outbound_ = std::move(next);
}

void Session::Send(const std::string& message) const {
  std::shared_ptr<const Outbound> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out = outbound_;
  }
  if (out) (*out)(message);
}

Caller Session::caller() const {
  std::lock_guard<std::mutex> lock(mu_);
  return caller_;
}

void Session::SetCaller(Caller caller) {
  std::lock_guard<std::mutex> lock(mu_);
  caller_ = std::move(caller);
}

std::string Session::protocol_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return protocol_version_;
}

bool Session::initialized() const {
  std::lock_guard<std::mutex> lock(mu_);
  return initialized_;
}

bool Session::client_ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return client_ready_;
}

Json Session::client_info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return client_info_;
}

Json Session::client_capabilities() const {
  std::lock_guard<std::mutex> lock(mu_);
  return client_capabilities_;
}

std::optional<LogLevel> Session::log_level() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_level_;
}

bool Session::Cancel(const Json& request_id) {
  const std::string key = DumpJson(request_id);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return false;
  it->second->cancelled = true;
  return true;
}

void Session::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, request] : in_flight_) request->cancelled = true;
}

size_t Session::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_.size();
}

InFlightHandle::InFlightHandle(InFlightHandle&& other) noexcept
    : session_(other.session_),
      key_(std::move(other.key_)),
      state_(std::move(other.state_)) {
  other.session_ = nullptr;
}

InFlightHandle& InFlightHandle::operator=(InFlightHandle&& other) noexcept {
  if (this != &other) {
    Release();
    session_ = other.session_;
    key_ = std::move(other.key_);
    state_ = std::move(other.state_);
    other.session_ = nullptr;
  }
  return *this;
}

InFlightHandle::~InFlightHandle() { Release(); }

void InFlightHandle::Release() {
  if (session_ != nullptr && state_) session_->Untrack(key_, state_);
  session_ = nullptr;
}

InFlightHandle Session::Track(const Json& request_id) {
  InFlightHandle handle;
  handle.session_ = this;
  handle.key_ = DumpJson(request_id);
  handle.state_ = std::make_shared<InFlightRequest>();
  std::lock_guard<std::mutex> lock(mu_);
  // A reused id (a client bug) replaces the older entry; Untrack only
  // removes the entry it added.
  in_flight_[handle.key_] = handle.state_;
  return handle;
}

void Session::Untrack(const std::string& key,
                      const std::shared_ptr<InFlightRequest>& request) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(key);
  if (it != in_flight_.end() && it->second == request) in_flight_.erase(it);
}

void Session::SetNegotiated(std::string version, Json client_info,
                            Json capabilities) {
  std::lock_guard<std::mutex> lock(mu_);
  protocol_version_ = std::move(version);
  client_info_ = std::move(client_info);
  client_capabilities_ = std::move(capabilities);
  initialized_ = true;
}

void Session::SetClientReady() {
  std::lock_guard<std::mutex> lock(mu_);
  client_ready_ = true;
}

void Session::SetLogLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(mu_);
  log_level_ = level;
}

}  // namespace funkygibbon::mcp
