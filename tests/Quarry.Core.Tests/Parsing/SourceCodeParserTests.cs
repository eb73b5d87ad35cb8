using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Parsing;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Parsing;

/// <summary>Source files become one section per declaration, with the symbol path as the heading trail.</summary>
public sealed class SourceCodeParserTests
{
    private const string CSharp = """
        using System;

        namespace Billing.Invoices;

        /// <summary>Issues refunds. A brace in a comment: {</summary>
        [Obsolete("use V2 } not this")]
        public sealed class InvoiceService(IClock clock)
        {
            private const string Marker = "class Fake { void Nope() {} }";

            public decimal Refund(Invoice invoice, decimal amount)
            {
                if (amount > invoice.Total) { throw new ArgumentOutOfRangeException(nameof(amount)); }
                return invoice.Total - amount;
            }

            public bool IsOverdue(Invoice invoice) => invoice.Due < clock.Today;

            private sealed record Line(string Sku, int Quantity)
            {
                public int Weight() { return Quantity * 2; }
            }
        }

        public interface IClock
        {
            DateOnly Today { get; }
        }
        """;

    [Fact]
    public async Task CSharp_methods_nest_under_their_class_and_namespace()
    {
        var sections = await SectionsAsync(CSharp, "InvoiceService.cs");

        sections.Keys.Should().Contain([
            "Billing.Invoices › InvoiceService",
            "Billing.Invoices › InvoiceService › Refund",
            "Billing.Invoices › InvoiceService › IsOverdue",
            "Billing.Invoices › InvoiceService › Line › Weight",
            "Billing.Invoices › IClock",
        ]);
        sections["Billing.Invoices › InvoiceService › Refund"].Should().Contain("return invoice.Total - amount;").And.NotContain("IsOverdue");
        sections["Billing.Invoices › InvoiceService"].Should().Contain("/// <summary>Issues refunds.").And.Contain("[Obsolete(");
        sections.Keys.Should().NotContain(k => k.Contains("Fake", StringComparison.Ordinal) || k.Contains("Nope", StringComparison.Ordinal));
    }

    private const string Python = """
        import os

        CONSTANT = "def not_a_function(): pass"


        class Repository:
            '''Stores things.

            class NotAClass:
            '''

            def __init__(self, root):
                self.root = root

            @property
            def size(self):
                return len(os.listdir(self.root))

            class Meta:
                def describe(self):
                    return "meta"


        async def main():
            repo = Repository(".")
            print(repo.size)
        """;

    [Fact]
    public async Task Python_nesting_follows_indentation()
    {
        var sections = await SectionsAsync(Python, "repo.py");

        sections.Keys.Should().Contain(["Repository", "Repository › __init__", "Repository › size", "Repository › Meta › describe", "main"]);
        sections["Repository › size"].Should().Contain("@property").And.Contain("return len(");
        sections["main"].Should().Contain("print(repo.size)");
        sections.Keys.Should().NotContain(k => k.Contains("NotAClass", StringComparison.Ordinal) || k.Contains("not_a_function", StringComparison.Ordinal));
    }

    private const string TypeScript = """
        import { Router } from "express";

        export interface Order {
          id: string;
          total: number;
        }

        const template = `function fake() { return "}" }`;

        export class OrderController {
          constructor(private readonly router: Router) {}

          async list(limit = 10): Promise<Order[]> {
            for (const x of []) { console.log(x); }
            return [];
          }

          private format(order: Order): string {
            return `${order.id}: ${order.total}`;
          }
        }

        export const handler = async (event: unknown) => {
          return { ok: true };
        };

        export function route(path: string) {
          return path;
        }
        """;

    [Fact]
    public async Task TypeScript_classes_functions_and_arrow_functions_are_sections()
    {
        var sections = await SectionsAsync(TypeScript, "orders.ts");

        sections.Keys.Should().Contain(["Order", "OrderController › constructor", "OrderController › list", "OrderController › format", "handler", "route"]);
        sections["OrderController › list"].Should().Contain("return [];").And.NotContain("format(");
        sections.Keys.Should().NotContain(k => k.Contains("fake", StringComparison.Ordinal) || k.EndsWith("for", StringComparison.Ordinal));
    }

    private const string Go = """
        package storage

        import "fmt"

        // Store keeps blobs.
        type Store struct {
        	root string
        }

        // Put writes a blob; "}" in a string must not close anything.
        func (s *Store) Put(key string, data []byte) error {
        	if key == "" {
        		return fmt.Errorf("empty key }")
        	}
        	return nil
        }

        func New(root string) *Store {
        	return &Store{root: root}
        }

        type Reader interface {
        	Get(key string) ([]byte, error)
        }
        """;

    [Fact]
    public async Task Go_methods_are_named_by_receiver()
    {
        var sections = await SectionsAsync(Go, "store.go");

        sections.Keys.Should().Contain(["Store", "Store.Put", "New", "Reader"]);
        sections["Store.Put"].Should().Contain("// Put writes a blob").And.Contain("return nil");
        sections["New"].Should().Contain("return &Store{root: root}").And.NotContain("Reader");
    }

    [Fact]
    public async Task The_chunker_carries_the_symbol_path_as_the_section()
    {
        var document = await ParsingTestHost.CreateSelector().ParseBytesAsync(System.Text.Encoding.UTF8.GetBytes(CSharp), "InvoiceService.cs");
        var chunker = new StructureAwareChunker(Options.Create(new ChunkingOptions()), BertWordPieceTokenizer.Default);

        var chunks = chunker.Chunk(document);

        chunks.Should().Contain(c => string.Join(" › ", c.Section) == "Billing.Invoices › InvoiceService › Refund"
            && c.Text.Contains("invoice.Total - amount", StringComparison.Ordinal));
        document.Title.Should().Be("InvoiceService.cs");
    }

    [Fact]
    public async Task A_real_source_file_of_this_repository_is_outlined()
    {
        var path = Path.Combine(RepositoryRoot(), "src", "Quarry.Core", "Parsing", "DocumentParserSelector.cs");

        var sections = await SectionsAsync(await File.ReadAllTextAsync(path), "DocumentParserSelector.cs");

        sections.Keys.Should().Contain([
            "Quarry.Parsing › DocumentParserSelector › DocumentParserSelector",
            "Quarry.Parsing › DocumentParserSelector › ParseAsync",
            "Quarry.Parsing › DocumentParserSelector › CheckSignature",
            "Quarry.Parsing › DocumentParserSelector › Empty",
        ]);
        sections["Quarry.Parsing › DocumentParserSelector › CheckSignature"].Should().Contain("/// <summary>Catches files whose name lies");
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    [Fact]
    public async Task Binary_content_named_as_code_is_rejected()
    {
        var act = () => ParsingTestHost.CreateSelector().ParseBytesAsync([0, 1, 2, 0, 0, 255, 0, 3, 0, 0], "x.cs");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Reason.Should().Be(RejectionReason.Binary);
    }

    /// <summary>Heading trail ("A › B") → the code under it, as the chunker would see the sections.</summary>
    private static async Task<Dictionary<string, string>> SectionsAsync(string source, string fileName)
    {
        var document = await ParsingTestHost.CreateSelector().ParseBytesAsync(System.Text.Encoding.UTF8.GetBytes(source), fileName);
        var trail = new List<(int Level, string Name)>();
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var block in document.Blocks)
        {
            var text = document.TextOf(block);
            if (block.Kind == BlockKind.Heading)
            {
                while (trail.Count > 0 && trail[^1].Level >= block.Level) trail.RemoveAt(trail.Count - 1);
                trail.Add((block.Level, text.TrimStart('#').Trim()));
                sections.TryAdd(string.Join(" › ", trail.Select(t => t.Name)), "");
                continue;
            }
            var key = string.Join(" › ", trail.Select(t => t.Name));
            sections[key] = sections.GetValueOrDefault(key) + text + "\n";
        }
        return sections;
    }
}
