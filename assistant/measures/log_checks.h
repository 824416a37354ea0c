#pragma once
// Questions several measures ask of the log: which activities it holds, whether a subject holds
// on a day, and what to answer when the question names nothing the log has.
#include <string>
#include <vector>

#include "assistant/measures/context.h"
#include "assistant/vocabulary.h"

namespace imu2clip::assistant::measures {

// Whether some entry of the label is a sound (audio), or something other than a sound (what
// the user did: motion, imported context). "eating" can be both.
bool is_heard(const LogView& view, const std::string& label);
bool is_done(const LogView& view, const std::string& label);

// The labels with time in the scope that name something the user did (not "unclear motion", not
// what was only heard), by descending time.
std::vector<std::string> activities_present(const LogView& view);

// The labels with time in the scope that were heard (including "quiet", not "unclear sound"), by
// descending time.
std::vector<std::string> sounds_present(const LogView& view);

// Every present label of the kind a question asks about, one expression each: "place" -> places
// (named ones, "at home", before "indoors"), "company" -> company, "" -> what one does and how
// one sits.
std::vector<Expression> labels_of_kind(const LogView& view, const std::string& target_kind);

Expression positive_part(const Expression& e);

// Every literal negated: "not watching TV".
bool is_absence(const Expression& e);

// A day "with X but not Y": X happened that day and Y never did (not merely "some X minute
// without Y"), which is how people read day-level questions.
bool day_holds(const LogView& view, const Expression& e, const Intervals& windows);

// Lower ranks are listed first: what one does before how one sits ("watching TV" over
// "sitting"), or the kind a "where"/"with whom" question asks for.
int kind_rank(LabelKind k, const std::string& target_kind);

// When the subject is empty, answers that the asked activity is not in the log (with what the
// log holds) and returns true; never substitutes another activity. `zero` is the answer absence
// implies ("0 times", "No").
bool report_missing_subject(Context& c, const std::string& zero = "");

}  // namespace imu2clip::assistant::measures
