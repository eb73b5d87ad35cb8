using Quarry.Access;

namespace Quarry.Core.Tests.Access;

public sealed class AccessScopeTests
{
    [Fact]
    public void A_list_permits_its_user_and_groups_and_an_empty_list_permits_everyone()
    {
        var bob = AccessScope.For("bob", ["hr", "eng"]);

        bob.Permits([]).Should().BeTrue();
        bob.Permits(["group:eng"]).Should().BeTrue();
        bob.Permits(["user:bob"]).Should().BeTrue();
        bob.Permits(["group:finance", "user:alice"]).Should().BeFalse();
        bob.Permits(["group:bob"]).Should().BeFalse("a user id is not a group name");
        AccessScope.OpenOnly.Permits(["group:hr"]).Should().BeFalse();
        AccessScope.Everything.Permits(["user:nobody"]).Should().BeTrue();
    }

    [Fact]
    public void The_scope_key_is_stable_for_equal_principal_sets_and_differs_otherwise()
    {
        var a = AccessScope.For("bob", ["hr", "eng", "hr"]);
        var b = AccessScope.For("bob", ["eng", "hr"]);

        a.ScopeKey.Should().Be(b.ScopeKey);
        a.ScopeKey.Should().NotBe(AccessScope.For("bob", ["eng"]).ScopeKey);
        a.ScopeKey.Should().NotBe(AccessScope.For("alice", ["eng", "hr"]).ScopeKey);
        a.ScopeKey.Should().NotContain("bob", "the key names no principal in clear");
        AccessScope.Everything.ScopeKey.Should().Be("bypass");
        a.Principals.Should().Equal("group:eng", "group:hr", "user:bob");
    }

    [Theory]
    [InlineData("admins")]
    [InlineData("group:")]
    [InlineData("role:hr")]
    [InlineData("user: bob")]
    public void Malformed_entries_are_refused_with_a_sentence(string entry)
    {
        var (allow, error) = AccessList.Normalize(["group:hr", entry]);

        allow.Should().BeNull();
        error.Should().Contain(entry.Trim());
    }

    [Fact]
    public void Lists_are_normalized_sorted_and_distinct()
    {
        AccessList.Normalize([" user:bob", "group:hr", "user:bob", ""]).Allow.Should().Equal("group:hr", "user:bob");
        AccessList.Normalize(null).Allow.Should().BeEmpty();
    }
}
