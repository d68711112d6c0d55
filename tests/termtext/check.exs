# check.exs TERMS SNAPSHOT SUPNAME: every child id and start argument list of the
# supervisor SUPNAME in the saved snapshot, read back as Elixir, equals its term.
[terms_f, snap_f, sup_s] = System.argv()
{:ok, [terms, cuts]} = :file.consult(String.to_charlist(terms_f))
sup = String.to_atom(sup_s)
msgs =
  case :erlang.binary_to_term(File.read!(snap_f)) do
    {:otp_advisor_snapshot, 1, ms} -> ms
    # format 2: one entry a node, the first the one attached to
    {:otp_advisor_snapshot, 2, [{:node_snapshot, _, :ok, ms} | _]} -> ms
  end

[pid] = for m <- msgs, elem(m, 0) == :sup, elem(m, 2) == sup, do: elem(m, 1)
# which_children lists the newest first: start order is the reverse
rows = Enum.flat_map(msgs, fn {:sup_children, ^pid, rs} -> rs; _ -> [] end) |> Enum.reverse()

read = fn text ->
  try do
    {v, _} = Code.eval_string(text)
    {:ok, v}
  rescue
    e -> {:error, e}
  end
end

expect = fn
  true, _, _ -> 0
  false, got, want -> IO.puts("FAIL #{inspect(want)}: got #{inspect(got)}"); 1
end

fails =
  Enum.zip(rows, terms ++ cuts)
  |> Enum.map(fn {{id, _, _, _, _, start}, t} ->
    f1 =
      case t do
        {:cut, _} -> expect.(String.contains?(id, "...") and byte_size(id) < 300, id, :cut)
        _ when is_atom(t) -> expect.(id == Atom.to_string(t), id, t)
        _ when is_binary(t) -> expect.(id == t, id, t)
        _ -> expect.(read.(id) === {:ok, t}, id, t)
      end
    f2 =
      case {t, start} do
        {{:cut, [_ | _]}, _} -> expect.(start == :undefined, inspect(start), :no_start)
        {_, _} when is_bitstring(t) and not is_binary(t) -> expect.(start == :undefined, inspect(start), :no_start)
        {_, {Agent, :start_link, args}} -> expect.(read.(args) === {:ok, [:erlang, :element, [1, {t}]]}, args, t)
        _ -> expect.(false, inspect(start), :start)
      end
    f1 + f2
  end)
  |> Enum.sum()

IO.puts("checked #{length(rows)} children, #{fails} failed")
System.halt(if fails == 0 and length(rows) == length(terms) + length(cuts), do: 0, else: 1)
