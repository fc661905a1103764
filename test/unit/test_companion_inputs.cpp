// The companion's reading of what users give it and how it prints numbers
// (issue 19): numeric options read strictly, DSN fields never masked for
// equalling the password, seconds at a readable precision.
#include <gtest/gtest.h>

#include "companion/dsn.h"
#include "companion/option_checks.h"
#include "companion/time_format.h"

using namespace fitbot::companion;

TEST(CompanionOptions, DecimalsMustBeFiniteDecimalNumbersInRange) {
    for (const char *good : {"10", "0.001", "86400", "1e3", "2.5", "+3", "0.5e1"})
        EXPECT_EQ(decimal_problem(good, 0.001, 86400, "seconds"), "") << good;
    EXPECT_EQ(decimal_problem("nan", 0.001, 86400, "seconds"), "'nan' is not a number of seconds from 0.001 to 86400");
    for (const char *bad : {"NaN", "-nan", "inf", "-inf", "infinity", "0x10", "0x1p3", "", " 5", "5 ", "5s", "1,5", "e",
                            ".", "--1", "1e", "1e400"})
        EXPECT_NE(decimal_problem(bad, 0.001, 86400, "seconds"), "") << bad;
    EXPECT_EQ(decimal_problem("-1", 0.001, 86400, "seconds"),
              "-1 is out of range: expected a number of seconds from 0.001 to 86400");
    EXPECT_NE(decimal_problem("1e300", 0.001, 86400, "seconds"), "");
    EXPECT_NE(decimal_problem("0.0009", 0.001, 86400, "seconds"), "");
    EXPECT_NE(decimal_problem("1e-400", 0.001, 86400, "seconds"), "");  // underflow
}

TEST(CompanionOptions, WholeNumbersAreDecimalDigitsInRange) {
    std::string text = "010";
    EXPECT_EQ(whole_number_problem(text, 1, 3600, "seconds"), "");
    EXPECT_EQ(text, "10");  // decimal, not octal 8
    text = "65535";
    EXPECT_EQ(whole_number_problem(text, 1, 65535, ""), "");
    EXPECT_EQ(text, "65535");
    for (const char *bad : {"nan", "inf", "0x10", "1e3", "5.5", "", "-", " 5", "5 ", "99999999999999999999"}) {
        std::string value = bad;
        EXPECT_NE(whole_number_problem(value, 1, 3600, "seconds"), "") << bad;
        EXPECT_EQ(value, bad);  // left as given when refused
    }
    text = "0";
    EXPECT_EQ(whole_number_problem(text, 1, 65535, ""), "0 is out of range: expected a whole number from 1 to 65535");
    text = "-5";
    EXPECT_EQ(whole_number_problem(text, 1, 3600, "seconds"),
              "-5 is out of range: expected a whole number of seconds from 1 to 3600");
    text = "nan";
    EXPECT_EQ(whole_number_problem(text, 1, 3600, "seconds"), "'nan' is not a whole number of seconds from 1 to 3600");
}

// A password equal to (or part of) another field's value: the field stays as
// it is, and the mask does not tell that the two are equal.
TEST(CompanionDsn, FieldsEqualToThePasswordStayReadable) {
    auto scrub = [](const std::string &message, const std::string &dsn) {
        return without_secrets(message, dsn_secrets(dsn), dsn_visible_values(dsn));
    };
    const std::string twins = "host=db user=alice password=alice dbname=alice";
    EXPECT_EQ(masked_dsn(twins), "user=alice password=******** dbname=alice host=db");
    EXPECT_EQ(scrub("FATAL:  password authentication failed for user \"alice\"", twins),
              "FATAL:  password authentication failed for user \"alice\"");
    EXPECT_EQ(scrub("cannot connect to " + masked_dsn(twins) + ": FATAL:  database \"alice\" does not exist", twins),
              "cannot connect to user=alice password=******** dbname=alice host=db: FATAL:  database \"alice\" does "
              "not exist");
    // The classic user=postgres password=postgres, dbname from the user.
    EXPECT_EQ(scrub("FATAL:  role \"postgres\" does not exist", "host=db user=postgres password=postgres"),
              "FATAL:  role \"postgres\" does not exist");
    // A password that is part of a field: the field stays whole ...
    EXPECT_EQ(scrub("for user \"alice\"", "user=alice password=lic"), "for user \"alice\"");
    // ... and one that contains a field is masked, the field itself shown.
    EXPECT_EQ(scrub("user \"alice\", not alice123", "user=alice password=alice123"), "user \"alice\", not ********");
    // Elsewhere the password is masked as before.
    EXPECT_EQ(scrub("got SeCrEt for user \"alice\"", "user=alice password=SeCrEt"), "got ******** for user \"alice\"");
    // A URI, and a port equal to the password.
    EXPECT_EQ(scrub("server at \"db\", port 5433 failed: user \"bob\"", "postgresql://bob:bob@db:5433/x"),
              "server at \"db\", port 5433 failed: user \"bob\"");
    EXPECT_EQ(scrub("port 5433 failed", "host=db port=5433 password=5433"), "port 5433 failed");
}

TEST(CompanionDsn, VisibleValuesIncludeLibpqDefaults) {
    setenv("PGUSER", "envuser", 1);
    unsetenv("PGDATABASE");
    const std::vector<std::string> values = dsn_visible_values("host=db password=x");
    unsetenv("PGUSER");
    EXPECT_NE(std::find(values.begin(), values.end(), "db"), values.end());
    EXPECT_NE(std::find(values.begin(), values.end(), "envuser"), values.end());
    EXPECT_EQ(std::find(values.begin(), values.end(), "x"), values.end());  // never the password
    EXPECT_TRUE(dsn_visible_values("password='unterminated").empty());
}

TEST(CompanionFormat, SecondsAtAReadablePrecision) {
    EXPECT_EQ(readable_seconds(7.0495339999999995), "7.05 s");
    EXPECT_EQ(readable_seconds(0.35), "350 ms");
    EXPECT_EQ(readable_seconds(0.0004), "0 ms");
    EXPECT_EQ(readable_seconds(0.9996), "1.00 s");
    EXPECT_EQ(readable_seconds(9.996), "10.0 s");
    EXPECT_EQ(readable_seconds(12.345), "12.3 s");
    EXPECT_EQ(readable_seconds(99.96), "100 s");
    EXPECT_EQ(readable_seconds(3600.4), "3600 s");
    EXPECT_EQ(readable_seconds(0), "0 ms");
    EXPECT_EQ(readable_seconds(std::numeric_limits<double>::quiet_NaN()), "?");
}
