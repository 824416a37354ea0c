#pragma once
// The one parser for instants a user types or sends: epoch numbers and ISO-8601 text, read in
// the user's IANA zone when the text has no UTC offset. Every entry point (HTTP API, `ask`,
// JSONL import) goes through here; they differ only in what a bare number means, so that is an
// explicit argument rather than a guess.
#include <cstdint>
#include <optional>
#include <string>

namespace imu2clip {

// The unit of a bare epoch number. The HTTP API and `imu2clip ask` document epoch
// milliseconds; the JSONL import format documents epoch seconds.
enum class EpochUnit { Seconds, Milliseconds };

// 9999-12-31T23:59:59.999Z: the last instant ISO-8601's four-digit years can write.
constexpr int64_t kMaxEpochMs = 253402300799999;

// Epoch milliseconds must be whole and in 1970..9999. Epoch seconds may have a fraction
// (rounded to the millisecond) and must be in 0..1e11: a larger value is a millisecond
// timestamp given by mistake. Throws InvalidInput naming `field` and the value.
int64_t epoch_to_utc_ms(double value, EpochUnit unit, const std::string& field);

// Parses "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]" followed by "Z", "+HH:MM", "+HHMM" or "+HH".
// Without an offset the text is read as local time in `local_tz` when given (an ambiguous
// time takes the earlier instant, a skipped one is an error), else it is an error.
int64_t parse_iso8601_utc_ms(const std::string& text, const std::optional<std::string>& local_tz = std::nullopt);

// Text holding only digits is an epoch number in `bare_number_unit`; anything else is ISO-8601
// as above. Surrounding whitespace is ignored. Throws InvalidInput with `field` as context.
int64_t parse_instant_utc_ms(const std::string& text, EpochUnit bare_number_unit,
                             const std::optional<std::string>& local_tz, const std::string& field);

}  // namespace imu2clip
